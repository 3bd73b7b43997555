using CoKv.Tokenization;

namespace CoKv.Tests;

/// <summary>stories260K's vocabulary, as GGUF and as llama2.c's tok512.bin, against llama.cpp's ids.</summary>
public class TokenizerStoriesTests
{
    static readonly int[] OnceUponATime = [1, 403, 407, 261, 378];

    [Fact]
    public void GgufVocabEncodesOnceUponATime()
    {
        var tok = TokenizerFactory.FromGguf(TestPaths.SharedModel("stories260K.gguf"));
        Assert.Equal(OnceUponATime, tok.Encode("Once upon a time"));
        Assert.Equal(512, tok.VocabSize);
        Assert.Equal(1, tok.BosId);
        Assert.Equal(2, tok.EosId);
        Assert.Contains(2, tok.StopIds);
    }

    [Fact]
    public void Llama2cTokenizerEncodesOnceUponATime()
    {
        var tok = TokenizerFactory.FromLlama2c(TestPaths.SharedModel("tok512.bin"));
        Assert.Equal(OnceUponATime, tok.Encode("Once upon a time"));
        Assert.Equal(512, tok.VocabSize);
    }

    [Fact]
    public void BothVocabsAgreeOnTokensAndDecoding()
    {
        var gguf = TokenizerFactory.FromGguf(TestPaths.SharedModel("stories260K.gguf"));
        var bin = TokenizerFactory.FromLlama2c(TestPaths.SharedModel("tok512.bin"));
        for (var id = 0; id < 512; id++)
        {
            Assert.Equal(gguf.TokenText(id), bin.TokenText(id));
            Assert.Equal(gguf.GetAttributes(id), bin.GetAttributes(id));
            Assert.Equal(gguf.TokenBytes(id), bin.TokenBytes(id));
        }
        // llama_detokenize keeps the space of the word after BOS (only a first non-BOS token loses it); verified
        // against libllama: [1, 403, 407, 261, 378] prints " Once upon a time", [403, ...] prints "Once upon a time".
        Assert.Equal(" Once upon a time", gguf.Decode(OnceUponATime));
        Assert.Equal(" Once upon a time", bin.Decode(OnceUponATime));
        Assert.Equal("Once upon a time", gguf.Decode(OnceUponATime[1..]));
        Assert.Equal("<s> Once upon a time", gguf.Decode(OnceUponATime, renderSpecial: true));

        var story = File.ReadAllText(TestPaths.SharedModel("stories260K.greedy-once-upon-a-time.txt"));
        Assert.Equal(gguf.Encode(story), bin.Encode(story));
        Assert.Equal(story, gguf.Decode(gguf.Encode(story, addBos: false)));
    }

    [Fact]
    public void SpecialTokenTextIsSplitOutOnlyWhenAsked()
    {
        var tok = TokenizerFactory.FromGguf(TestPaths.SharedModel("stories260K.gguf"));
        var withSpecial = tok.Encode("Hi</s>", addBos: false, parseSpecial: true);
        Assert.Equal(2, withSpecial[^1]);
        var plain = tok.Encode("Hi</s>", addBos: false, parseSpecial: false);
        Assert.DoesNotContain(2, plain);
        Assert.Equal(Array.Empty<byte>(), tok.TokenBytes(2, renderSpecial: false));
        Assert.Equal("</s>"u8.ToArray(), tok.TokenBytes(2));
    }
}
