using System.Text;
using System.Text.Json;
using CoKv.Generation.Constraints;
using CoKv.Tests;
using CoKv.Tokenization;

namespace CoKv.SemanticKernel.Tests;

/// <summary>
/// The token mask on real vocabularies: random walks that draw any allowed token (what a random-weight model does)
/// always give text that parses and meets the schema, stop tokens are allowed only at the end, and the finish steering
/// ends the output within a token limit.
/// </summary>
public sealed class ConstrainedDecodingTests
{
    const string Schema = """
        {"type": "object", "properties": {
          "city": {"type": "string", "maxLength": 40},
          "days": {"type": "integer"},
          "temp": {"type": "number"},
          "unit": {"enum": ["celsius", "fahrenheit"]},
          "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 3},
          "ok": {"type": ["boolean", "null"]}
        }, "required": ["city", "days", "unit"]}
        """;

    static (string Text, bool Complete) Walk(ITokenizer tokenizer, GrammarNode grammar, int seed, int limit = 4000)
    {
        var constraint = new GrammarConstraint(grammar, tokenizer);
        var allowed = new bool[tokenizer.VocabSize];
        var random = new Random(seed);
        var bytes = new List<byte>();
        for (int step = 0; step < limit; step++)
        {
            constraint.FillMask(allowed, limit - step);
            foreach (var stop in tokenizer.StopIds)
                Assert.True(!allowed[stop] || constraint.IsComplete, "a stop token was allowed before the output was complete");
            int pick = -1, seen = 0;
            for (int i = 0; i < allowed.Length; i++)
                if (allowed[i] && random.Next(++seen) == 0) pick = i;
            Assert.True(pick >= 0, "no token allowed after: " + Encoding.UTF8.GetString(bytes.ToArray()));
            constraint.Advance(pick);
            if (tokenizer.StopIds.Contains(pick)) return (Encoding.UTF8.GetString(bytes.ToArray()), true);
            bytes.AddRange(tokenizer.TokenBytes(pick, renderSpecial: true));
        }
        // The limit reached with the output complete: a generation ends there with nothing missing.
        return (Encoding.UTF8.GetString(bytes.ToArray()), constraint.IsComplete);
    }

    [Theory]
    [InlineData("ggml-vocab-gpt-2.gguf")]
    [InlineData("ggml-vocab-qwen2.gguf")]
    [InlineData("ggml-vocab-llama-spm.gguf")]
    public void RandomWalks_GiveJsonThatMeetsTheSchema(string vocab)
    {
        var tokenizer = TokenizerFactory.FromGguf(TestPaths.VocabFile(vocab));
        using var schema = JsonDocument.Parse(Schema);
        var grammar = JsonSchemaGrammar.FromSchema(schema.RootElement);
        for (int seed = 1; seed <= 4; seed++)
        {
            var (text, stopped) = Walk(tokenizer, grammar, seed);
            Assert.True(stopped, $"seed {seed}: no stop: {text}");
            using var doc = JsonDocument.Parse(text);
            Assert.Null(JsonSchemaCheck.FindError(doc.RootElement, schema.RootElement));
            Assert.True(doc.RootElement.GetProperty("city").GetString()!.Length <= 40);
        }
    }

    [Fact]
    public void AnyJsonObject_EndsWithinTheTokenLimit()
    {
        var tokenizer = TokenizerFactory.FromGguf(TestPaths.VocabFile("ggml-vocab-qwen2.gguf"));
        for (int seed = 1; seed <= 3; seed++)
        {
            var (text, stopped) = Walk(tokenizer, JsonSchemaGrammar.AnyObject(), seed, limit: 120);
            Assert.True(stopped, $"seed {seed}: not complete within 120 tokens: {text}");
            using var doc = JsonDocument.Parse(text);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        }
    }

    [Fact]
    public void Literal_IsSpelledExactly_AndOnlyStopFollows()
    {
        var tokenizer = TokenizerFactory.FromGguf(TestPaths.VocabFile("ggml-vocab-qwen2.gguf"));
        var (text, stopped) = Walk(tokenizer, GrammarNode.Literal("<tool_call>\n{\"a\": 1}"), seed: 5);
        Assert.True(stopped);
        Assert.Equal("<tool_call>\n{\"a\": 1}", text);
    }

    [Fact]
    public void UnsupportedSchemaKeywords_AreRefusedByName()
    {
        using var schema = JsonDocument.Parse("""{"type": "string", "pattern": "^[a-z]+$"}""");
        var e = Assert.Throws<NotSupportedException>(() => JsonSchemaGrammar.FromSchema(schema.RootElement));
        Assert.Contains("pattern", e.Message);
    }
}
