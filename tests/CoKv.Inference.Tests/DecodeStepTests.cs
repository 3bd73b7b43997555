using CoKv.Cache;
using CoKv.Generation;
using CoKv.Decoding;
using CoKv.Models;
using static TorchSharp.torch;

namespace CoKv.Tests;

/// <summary>
/// The managed decode step (InferenceSession.Step on an f32 cache) against the TorchSharp modules' own T = 1 forward
/// through IKvCache.Attend, on the parity configurations (biases, Qwen3's q/k norms, llama3 RoPE scaling, tied and
/// untied classifiers), over a full cache and over head-budgeted caches with uneven per-head budgets.
/// </summary>
public sealed class DecodeStepTests
{
    // Measured: ≤ 3e-6 relative to the logits' spread (f32 sums in another order); the margin covers other CPUs.
    const double Tolerance = 2e-5;

    public static TheoryData<string> Configs => new() { "qwen2-bias-untied", "qwen3-qknorm-tied", "llama3-scaling-untied", "llama-tied" };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Managed_steps_on_a_full_cache_match_the_module_path(string name)
    {
        using var decoder = RandomDecoder(ParityModels.Config(name));
        var tokens = ParityModels.Tokens(48, decoder.Config.VocabSize, seed: 5);
        using var session = new InferenceSession(decoder, tokens.Length + 1);
        using var reference = decoder.CreateCache(tokens.Length + 1);
        Prefill(decoder, reference, tokens[..32]);
        session.Prefill(tokens[..32]).Dispose();
        Assert.True(session.UsesManagedDecode);
        for (int i = 32; i < tokens.Length; i++)
        {
            using var ours = session.Step(tokens[i]);
            using var theirs = ModuleStep(decoder, reference, tokens[i], i);
            AssertClose(theirs, ours, $"{name}, position {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Managed_steps_on_a_head_budgeted_cache_match_the_module_path(string name)
    {
        using var decoder = RandomDecoder(ParityModels.Config(name));
        var config = decoder.Config;
        var tokens = ParityModels.Tokens(60, config.VocabSize, seed: 9);
        int prompt = 40;
        using var dense = decoder.CreateCache(prompt);
        Prefill(decoder, dense, tokens[..prompt]);
        var random = new Random(name.Length);
        // Budgets from none to the whole prompt, a different one for every head.
        var positions = Enumerable.Range(0, config.LayerCount * config.KvHeadCount).Select(i =>
        {
            int keep = i % 3 == 0 ? 0 : i % 3 == 1 ? prompt : random.Next(1, prompt);
            return Enumerable.Range(0, prompt).OrderBy(_ => random.Next()).Take(keep).Select(p => (long)p).Order().ToArray();
        }).ToArray();
        // A reserve of 4 makes both copies grow their buffers during the steps.
        using var managed = HeadBudgetedKvCache.FromDense(dense, positions, reserve: 4);
        using var reference = HeadBudgetedKvCache.FromDense(dense, positions, reserve: 4);
        using var session = new InferenceSession(decoder, prompt);
        session.ReplaceCache(managed);
        for (int i = prompt; i < tokens.Length; i++)
        {
            // The session's own token list starts empty; the position is what matters to RoPE.
            using var ours = Step(session, managed, tokens[i], i);
            using var theirs = ModuleStep(decoder, reference, tokens[i], i);
            AssertClose(theirs, ours, $"{name}, position {i}");
        }
        GC.KeepAlive(session);
    }

    static Tensor Step(InferenceSession session, HeadBudgetedKvCache cache, int token, int position)
    {
        var step = new DecodeStep(session.Decoder, session.Decoder.ManagedWeights, get_num_threads());
        try { return step.Run(token, position, cache); }
        finally { step.Dispose(); }
    }

    static void Prefill(Decoder decoder, IKvCache cache, int[] tokens)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        decoder.Hidden(tensor(tokens.Select(t => (long)t).ToArray()).unsqueeze(0), 0, cache);
    }

    static Tensor ModuleStep(Decoder decoder, IKvCache cache, int token, long position)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var hidden = decoder.Hidden(tensor(new long[] { token }).unsqueeze(0), position, cache);
        return decoder.Logits(hidden[0, -1]).MoveToOuterDisposeScope();
    }

    static void AssertClose(Tensor expected, Tensor actual, string where)
    {
        var e = expected.data<float>().ToArray();
        var a = actual.data<float>().ToArray();
        Assert.Equal(e.Length, a.Length);
        double mean = e.Average(), spread = Math.Sqrt(e.Sum(x => (x - mean) * (x - mean)) / e.Length);
        double worst = e.Zip(a, (x, y) => Math.Abs(x - y)).Max() / spread;
        Assert.True(worst <= Tolerance, $"{where}: max |Δ| / std = {worst:E2} (tolerance {Tolerance:E0})");
    }

    /// <summary>Every parameter random on a trained model's scale (biases and norms included, so each path is used).</summary>
    static Decoder RandomDecoder(ModelConfig config)
    {
        var decoder = new Decoder(config);
        var random = new Random(17);
        using var noGrad = no_grad();
        foreach (var (name, p) in decoder.named_parameters())
        {
            var data = new float[p.numel()];
            bool norm = name.EndsWith("norm.weight", StringComparison.Ordinal);
            double scale = norm || name.EndsWith(".bias", StringComparison.Ordinal) ? 0.2
                : name.StartsWith("embed_tokens", StringComparison.Ordinal) ? 1.0 : 2.0 / Math.Sqrt(p.shape[^1]);
            for (int i = 0; i < data.Length; i++) data[i] = (float)((norm ? 1 : 0) + scale * (random.NextDouble() * 2 - 1));
            p.copy_(tensor(data).view(p.shape));
        }
        return decoder;
    }
}
