using System.Text.RegularExpressions;

namespace CoKv.Gguf;

/// <summary>llama.cpp tensor names ↔ Hugging Face Llama/Qwen names.</summary>
public static partial class GgufTensorNames
{
    public const string RopeFreqs = "rope_freqs";

    static readonly (string Gguf, string Hf)[] Global =
    [
        ("token_embd.weight", "model.embed_tokens.weight"),
        ("output_norm.weight", "model.norm.weight"),
        ("output.weight", "lm_head.weight"),
        ("rope_freqs.weight", RopeFreqs),
    ];

    static readonly (string Gguf, string Hf)[] PerLayer =
    [
        ("attn_norm", "input_layernorm"),
        ("attn_q", "self_attn.q_proj"),
        ("attn_k", "self_attn.k_proj"),
        ("attn_v", "self_attn.v_proj"),
        ("attn_output", "self_attn.o_proj"),
        ("attn_q_norm", "self_attn.q_norm"),
        ("attn_k_norm", "self_attn.k_norm"),
        ("ffn_norm", "post_attention_layernorm"),
        ("ffn_gate", "mlp.gate_proj"),
        ("ffn_up", "mlp.up_proj"),
        ("ffn_down", "mlp.down_proj"),
    ];

    [GeneratedRegex(@"^blk\.(\d+)\.([a-z_]+)\.(weight|bias)$")]
    private static partial Regex GgufLayerName();

    [GeneratedRegex(@"^model\.layers\.(\d+)\.([a-z_.]+)\.(weight|bias)$")]
    private static partial Regex HfLayerName();

    /// <summary>The HF name of a GGUF tensor, or null for a tensor this mapping does not know.</summary>
    public static string? ToHf(string ggufName)
    {
        foreach (var (g, h) in Global)
            if (g == ggufName) return h;
        var m = GgufLayerName().Match(ggufName);
        if (!m.Success) return null;
        foreach (var (g, h) in PerLayer)
            if (g == m.Groups[2].Value) return $"model.layers.{m.Groups[1].Value}.{h}.{m.Groups[3].Value}";
        return null;
    }

    /// <summary>The GGUF name of an HF tensor, or null for a tensor llama.cpp has no name for.</summary>
    public static string? ToGguf(string hfName)
    {
        foreach (var (g, h) in Global)
            if (h == hfName) return g;
        var m = HfLayerName().Match(hfName);
        if (!m.Success) return null;
        foreach (var (g, h) in PerLayer)
            if (h == m.Groups[2].Value) return $"blk.{m.Groups[1].Value}.{g}.{m.Groups[3].Value}";
        return null;
    }

    /// <summary>True for q_proj/k_proj weights and biases, whose rows llama.cpp reorders for "llama" models.</summary>
    public static bool IsQueryOrKey(string hfName, out bool isKey)
    {
        isKey = hfName.Contains(".self_attn.k_proj.", StringComparison.Ordinal);
        return isKey || hfName.Contains(".self_attn.q_proj.", StringComparison.Ordinal);
    }
}
