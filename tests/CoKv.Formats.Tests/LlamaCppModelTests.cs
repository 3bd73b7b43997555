using CoKv.LlamaCpp;

namespace CoKv.Tests;

[Collection(LlamaCppCollection.Name)]
public sealed class LlamaCppModelTests(LlamaCppStoriesFixture fixture)
{
    [Fact]
    public void Stories260KFactsMatchTheReadme()
    {
        var m = fixture.Model;
        Assert.Equal(64, m.EmbeddingLength);
        Assert.Equal(5, m.LayerCount);
        Assert.Equal(8, m.HeadCount);
        Assert.Equal(4, m.KvHeadCount);
        Assert.Equal(512, m.VocabSize);
        Assert.Equal(512, m.TrainContextLength);
        Assert.False(string.IsNullOrWhiteSpace(m.Description));
        Assert.InRange(m.ParameterCount, 200_000, 400_000);
        Assert.True(m.SizeBytes >= m.ParameterCount * 4, "F32 weights take 4 bytes each");
        Assert.Equal(1, m.Bos);
        Assert.Equal(2, m.Eos);
        Assert.True(m.IsEndOfGeneration(2));
        Assert.False(m.IsEndOfGeneration(403));
    }

    [Fact]
    public void TokenizesThePromptLikeRunC()
    {
        Assert.Equal([1, 403, 407, 261, 378], fixture.Model.Tokenize("Once upon a time", addSpecial: true, parseSpecial: false));
        Assert.Equal([403, 407, 261, 378], fixture.Model.Tokenize("Once upon a time", addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void PiecesAndDetokenizationRoundTrip()
    {
        var m = fixture.Model;
        var ids = m.Tokenize("Once upon a time", addSpecial: true, parseSpecial: false);
        // This build keeps the SentencePiece leading space when detokenizing (run.c strips it itself).
        Assert.Equal(" Once upon a time", m.Detokenize(ids, removeSpecial: true));
        Assert.Equal(" Once upon a time", m.Detokenize(ids));
        Assert.Equal("<s> Once upon a time", m.Detokenize(ids, unparseSpecial: true));
        Assert.Equal(" Once"u8.ToArray(), m.TokenToPiece(403));
        Assert.Equal(Array.Empty<int>(), m.Tokenize("", addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void MissingModelFileIsAFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => LlamaCppModel.Load(Path.Combine(TestPaths.TempDir("llama-missing"), "none.gguf")));
}
