using CoKv.LlamaCpp;

namespace CoKv.Tests;

/// <summary>llama.cpp's own tokenizer vectors: .inp holds strings separated by "\n__ggml_vocab_test__\n", .out one line of ids per string.</summary>
[Collection(LlamaCppCollection.Name)]
public sealed class LlamaCppVocabTests
{
    const string Separator = "\n__ggml_vocab_test__\n";

    [Theory]
    [InlineData("ggml-vocab-llama-bpe.gguf")]
    [InlineData("ggml-vocab-llama-spm.gguf")]
    public void VocabOnlyModelTokenizesItsFirstTestString(string vocab)
    {
        var (text, ids) = FirstCase(vocab);
        using var model = LlamaCppModel.Load(TestPaths.VocabFile(vocab), vocabOnly: true);
        Assert.True(model.VocabOnly);
        // llama.cpp's test-tokenizer-0 encodes the vectors without BOS/EOS and without parsing special tokens.
        Assert.Equal(ids, model.Tokenize(text, addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void VocabOnlyModelCannotMakeAContext()
    {
        using var model = LlamaCppModel.Load(TestPaths.VocabFile("ggml-vocab-llama-bpe.gguf"), vocabOnly: true);
        Assert.Equal(128_000, model.Bos);
        Assert.Equal(128_256, model.VocabSize);
        // No layers in a vocab-only file: the head counts are reported as 0 instead of letting llama.cpp abort.
        Assert.Equal(0, model.LayerCount);
        Assert.Equal(0, model.HeadCount);
        Assert.Equal(0, model.KvHeadCount);
        Assert.Throws<ArgumentException>(() => LlamaCppContext.Create(model, 64, 64, 1));
    }

    static (string Text, int[] Ids) FirstCase(string vocab)
    {
        var inp = File.ReadAllText(TestPaths.VocabFile(vocab + ".inp"));
        var outLine = File.ReadLines(TestPaths.VocabFile(vocab + ".out")).First();
        var text = inp.Split(Separator)[0];
        var ids = outLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        return (text, ids);
    }
}
