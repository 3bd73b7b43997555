using CoKv.Generation;

namespace CoKv.Tests;

/// <summary>The engine's requests, options and sessions check one setting through one rule (<see cref="OptionRules"/>).</summary>
public sealed class OptionRulesEngineTests
{
    [Fact]
    public void A_request_is_refused_with_the_words_of_the_options_rule()
    {
        using var model = LocalModel.Load(TestPaths.SharedModel("stories260K.gguf"));
        var prompt = model.Tokenizer.Encode("Once");

        var chunk = OptionRules.PrefillChunkSize(nameof(GenerationRequest.PrefillChunkSize), 0)!;
        Assert.Equal(chunk, Assert.ThrowsAny<ArgumentException>(() => new LocalModelOptions { PrefillChunkSize = 0 }.Validate()).Message);
        Assert.StartsWith(chunk, Assert.Throws<ArgumentException>(() => model.GenerateAsync(new GenerationRequest { PromptTokens = prompt, PrefillChunkSize = 0 })).Message);
        using var session = new InferenceSession(model.Decoder, 8);
        Assert.Equal(OptionRules.PrefillChunkSize("chunkSize", 0), Assert.ThrowsAny<ArgumentException>(() => session.Prefill(prompt, chunkSize: 0)).Message);

        var temperature = OptionRules.Temperature(nameof(SamplingOptions.Temperature), double.NaN)!;
        Assert.Equal(temperature, Assert.ThrowsAny<ArgumentException>(() =>
            model.GenerateAsync(new GenerationRequest { PromptTokens = prompt, Sampling = new SamplingOptions { Temperature = double.NaN } })).Message);

        var limit = OptionRules.MaxNewTokens(nameof(GenerationRequest.MaxNewTokens), -1)!;
        Assert.StartsWith(limit, Assert.Throws<ArgumentException>(() => model.GenerateAsync(new GenerationRequest { PromptTokens = prompt, MaxNewTokens = -1 })).Message);
        Assert.Null(OptionRules.MaxNewTokens(nameof(GenerationRequest.MaxNewTokens), 0));
    }
}
