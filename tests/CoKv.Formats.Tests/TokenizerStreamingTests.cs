using System.Text;
using CoKv.Tokenization;

namespace CoKv.Tests;

public class TokenizerStreamingTests
{
    const string MultiByte = "Grüße, 世界! 🦙 llama's   test . ok ' x 'll 're \n\n Ελληνικά 🤷‍♂️ ção";

    [Theory]
    [InlineData("llama-spm")]
    [InlineData("llama-bpe")]
    [InlineData("qwen2")]
    public void ConcatenatedChunksEqualDecode(string name)
    {
        var tok = TokenizerVectorTests.LoadVocab(name);
        var ids = tok.Encode(MultiByte);
        var stream = new StreamingDetokenizer(tok);
        var chunks = new StringBuilder();
        foreach (var id in ids)
        {
            var chunk = stream.Append(id);
            Assert.DoesNotContain('\uFFFD', chunk);
            chunks.Append(chunk);
        }
        chunks.Append(stream.Flush());
        Assert.Equal(tok.Decode(ids), chunks.ToString());
        Assert.Equal(chunks.ToString(), stream.Text);
    }

    [Fact]
    public void ByteFallbackCharactersAreHeldUntilComplete()
    {
        // SentencePiece spells characters missing from the vocab as <0xXX> tokens, one per UTF-8 byte.
        var tok = TokenizerFactory.FromGguf(TestPaths.SharedModel("stories260K.gguf"));
        var ids = tok.Encode("a 🦙", addBos: false);
        Assert.True(ids.Count(id => (tok.GetAttributes(id) & TokenAttributes.Byte) != 0) == 4);
        var stream = new StreamingDetokenizer(tok);
        var chunks = ids.Select(stream.Append).ToList();
        Assert.Equal("", chunks[^2]);       // three bytes of four: nothing yet
        Assert.Equal("🦙", chunks[^1]);
        Assert.Equal(tok.Decode(ids), string.Concat(chunks) + stream.Flush());
    }

    [Fact]
    public void ContinuingASequenceKeepsTheFirstSpace()
    {
        var tok = TokenizerFactory.FromGguf(TestPaths.SharedModel("stories260K.gguf"));
        var prompt = tok.Encode("Once upon");
        var generated = tok.Encode("Once upon a time", addBos: true).Skip(prompt.Count).ToList();
        var stream = new StreamingDetokenizer(tok, continuesSequence: true);
        Assert.Equal(" a time", string.Concat(generated.Select(stream.Append)) + stream.Flush());
    }
}
