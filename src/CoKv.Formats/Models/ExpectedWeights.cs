namespace CoKv.Models;

/// <summary>The tensors (HF names and shapes) a decoder of a given <see cref="ModelConfig"/> needs.</summary>
public static class ExpectedWeights
{
    public static IEnumerable<(string Name, long[] Shape)> For(ModelConfig c)
    {
        long d = c.HiddenSize, q = (long)c.HeadCount * c.HeadDim, kv = (long)c.KvHeadCount * c.HeadDim, ff = c.IntermediateSize;
        yield return ("model.embed_tokens.weight", [c.VocabSize, d]);
        for (int l = 0; l < c.LayerCount; l++)
        {
            var p = $"model.layers.{l}.";
            yield return (p + "input_layernorm.weight", [d]);
            yield return (p + "self_attn.q_proj.weight", [q, d]);
            yield return (p + "self_attn.k_proj.weight", [kv, d]);
            yield return (p + "self_attn.v_proj.weight", [kv, d]);
            yield return (p + "self_attn.o_proj.weight", [d, q]);
            if (c.AttentionBias)
            {
                yield return (p + "self_attn.q_proj.bias", [q]);
                yield return (p + "self_attn.k_proj.bias", [kv]);
                yield return (p + "self_attn.v_proj.bias", [kv]);
            }
            if (c.QkNorm)
            {
                yield return (p + "self_attn.q_norm.weight", [c.HeadDim]);
                yield return (p + "self_attn.k_norm.weight", [c.HeadDim]);
            }
            yield return (p + "post_attention_layernorm.weight", [d]);
            yield return (p + "mlp.gate_proj.weight", [ff, d]);
            yield return (p + "mlp.up_proj.weight", [ff, d]);
            yield return (p + "mlp.down_proj.weight", [d, ff]);
        }
        yield return ("model.norm.weight", [d]);
        if (!c.TiedEmbeddings) yield return ("lm_head.weight", [c.VocabSize, d]);
    }

    /// <summary>Throws <see cref="ModelFormatException"/> naming the first missing or misshapen tensor.</summary>
    public static void Check(ModelConfig config, IWeightSource weights)
    {
        foreach (var (name, shape) in For(config))
        {
            if (!weights.Contains(name))
                throw new ModelFormatException($"{weights.Source}: tensor '{name}' is missing.");
            var actual = weights.Describe(name).Shape;
            if (!actual.SequenceEqual(shape))
                throw new ModelFormatException($"{weights.Source}: tensor '{name}' has shape [{string.Join(", ", actual)}]; the config needs [{string.Join(", ", shape)}].");
        }
    }
}
