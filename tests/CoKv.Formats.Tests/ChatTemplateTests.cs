using CoKv.Chat;
using CoKv.Gguf;

namespace CoKv.Tests;

public class ChatTemplateTests
{
    static readonly ChatTurn[] MultiTurn =
    [
        ChatTurn.System("You are helpful."),
        ChatTurn.User("Hi"),
        ChatTurn.Assistant("Hello!"),
        ChatTurn.User("What is 6*7?"),
    ];

    [Fact]
    public void Llama3()
    {
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 6*7?<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
            ChatTemplates.Render(ChatTemplateFamily.Llama3, MultiTurn, addGenerationPrompt: true, "<|begin_of_text|>"));
        Assert.Equal(
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\n42<|eot_id|>",
            ChatTemplates.Render(ChatTemplateFamily.Llama3, [ChatTurn.User(" Hi\n"), ChatTurn.Tool("42")], addGenerationPrompt: false, null));
    }

    [Fact]
    public void ChatML()
    {
        Assert.Equal(
            "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n" +
            "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nWhat is 6*7?<|im_end|>\n<|im_start|>assistant\n",
            ChatTemplates.Render(ChatTemplateFamily.ChatML, MultiTurn, addGenerationPrompt: true, null));
        Assert.Equal(
            "<|im_start|>user\nWeather?<|im_end|>\n<|im_start|>assistant\ncalling<|im_end|>\n" +
            "<|im_start|>user\n<tool_response>\nsunny\n</tool_response>\n<tool_response>\n21C\n</tool_response><|im_end|>\n" +
            "<|im_start|>assistant\n",
            ChatTemplates.Render(ChatTemplateFamily.ChatML,
                [ChatTurn.User("Weather?"), ChatTurn.Assistant("calling"), ChatTurn.Tool("sunny"), ChatTurn.Tool("21C")], true, null));
    }

    [Fact]
    public void Mistral()
    {
        Assert.Equal(
            "<s>[INST] You are helpful.\n\nHi [/INST] Hello!</s>[INST] What is 6*7? [/INST]",
            ChatTemplates.Render(ChatTemplateFamily.Mistral, MultiTurn, addGenerationPrompt: true, "<s>"));
        Assert.Equal(
            "<s>[INST] Hi [/INST] call</s>[INST] Tool result:\n42 [/INST]",
            ChatTemplates.Render(ChatTemplateFamily.Mistral, [ChatTurn.User("Hi"), ChatTurn.Assistant("call"), ChatTurn.Tool("42")], true, "<s>"));
    }

    [Fact]
    public void Llama2()
    {
        Assert.Equal(
            "<s>[INST] <<SYS>>\nYou are helpful.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] What is 6*7? [/INST]",
            ChatTemplates.Render(ChatTemplateFamily.Llama2, MultiTurn, addGenerationPrompt: true, "<s>"));
        Assert.Equal("<s>[INST] Hi [/INST]", ChatTemplates.Render(ChatTemplateFamily.Llama2, [ChatTurn.User("Hi")], true, "<s>"));
    }

    [Fact]
    public void Plain()
    {
        Assert.Equal(
            "You are helpful.\n\nUser: Hi\nAssistant: Hello!\nUser: What is 6*7?\nAssistant:",
            ChatTemplates.Render(ChatTemplateFamily.Plain, MultiTurn, addGenerationPrompt: true, null));
    }

    [Fact]
    public void Zephyr()
    {
        // TinyLlama-1.1B-Chat-v1.0's model card prints this prompt for a system and a user message.
        Assert.Equal(
            "<|system|>\nYou are a friendly chatbot who always responds in the style of a pirate</s>\n" +
            "<|user|>\nHow many helicopters can a human eat in one sitting?</s>\n<|assistant|>\n",
            ChatTemplates.Render(ChatTemplateFamily.Zephyr,
                [ChatTurn.System("You are a friendly chatbot who always responds in the style of a pirate"), ChatTurn.User("How many helicopters can a human eat in one sitting?")],
                addGenerationPrompt: true, null));
        Assert.Equal(
            "<|system|>\nYou are helpful.<eos>\n<|user|>\nHi<eos>\n<|assistant|>\nHello!<eos>\n<|user|>\nWhat is 6*7?<eos>\n",
            ChatTemplates.Render(ChatTemplateFamily.Zephyr, MultiTurn, addGenerationPrompt: false, null, "<eos>"));
        Assert.Equal(
            "<|user|>\nWeather?</s>\n<|assistant|>\ncalling</s>\n<|user|>\nTool result:\nsunny</s>\n<|assistant|>\n",
            ChatTemplates.Render(ChatTemplateFamily.Zephyr, [ChatTurn.User("Weather?"), ChatTurn.Assistant("calling"), ChatTurn.Tool("sunny")], true, null));
    }

    [Fact]
    public void TinyLlamaTemplateIsZephyrNotPlain() =>
        Assert.Equal(ChatTemplateFamily.Zephyr, ChatTemplates.Detect(SentencePieceFolderTests.TinyLlamaTemplate));

    [Fact]
    public void UnknownRoleIsRefused() =>
        Assert.Throws<ArgumentException>(() => ChatTemplates.Render(ChatTemplateFamily.ChatML, [new ChatTurn("narrator", "x")], true, null));

    [Fact]
    public void DetectsTheTemplatesCarriedByLlamaCppVocabs()
    {
        using var qwen = GgufFile.Open(TestPaths.VocabFile("ggml-vocab-qwen2.gguf"));
        Assert.Equal(ChatTemplateFamily.ChatML, ChatTemplates.Detect(qwen.GetString("tokenizer.chat_template")));
        // Phi-3's <|user|> format is not one of ours: it falls back to Plain.
        using var phi = GgufFile.Open(TestPaths.VocabFile("ggml-vocab-phi-3.gguf"));
        Assert.Equal(ChatTemplateFamily.Plain, ChatTemplates.Detect(phi.GetString("tokenizer.chat_template")));
        using var bpe = GgufFile.Open(TestPaths.VocabFile("ggml-vocab-llama-bpe.gguf"));
        Assert.Equal(ChatTemplateFamily.Plain, ChatTemplates.Detect(bpe.GetString("tokenizer.chat_template")));
    }

    [Theory]
    // Abridged from the official templates of Llama 3 Instruct, Qwen2.5, Mistral-7B-Instruct-v0.2, Llama-2-chat.
    [InlineData("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{{ content }}{% endfor %}", ChatTemplateFamily.Llama3)]
    [InlineData("{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}{%- endfor %}", ChatTemplateFamily.ChatML)]
    [InlineData("{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% else %}{{ message['content'] + eos_token}}{% endif %}{% endfor %}", ChatTemplateFamily.Mistral)]
    [InlineData("{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}", ChatTemplateFamily.Llama2)]
    // HuggingFaceH4/zephyr-7b-beta (abridged).
    [InlineData("{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}{% endfor %}", ChatTemplateFamily.Zephyr)]
    [InlineData(null, ChatTemplateFamily.Plain)]
    [InlineData("{{ messages }}", ChatTemplateFamily.Plain)]
    public void DetectsFamiliesByTheirMarkers(string? template, ChatTemplateFamily expected) =>
        Assert.Equal(expected, ChatTemplates.Detect(template));

    [Fact]
    public void RenderedLlama3PromptTokenizesIntoSpecialTokens()
    {
        var tok = TokenizerVectorTests.LoadVocab("llama-bpe");
        var prompt = ChatTemplates.Render(ChatTemplateFamily.Llama3, [ChatTurn.User("Hi")], true, null);
        var ids = tok.Encode(prompt, addBos: true, parseSpecial: true);
        Assert.Equal(tok.BosId, ids[0]);
        Assert.Equal(tok.FindToken("<|start_header_id|>"), ids[1]);
        Assert.Equal(2, ids.Count(id => id == tok.FindToken("<|start_header_id|>")));
        Assert.Single(ids, id => id == tok.FindToken("<|eot_id|>"));
    }
}
