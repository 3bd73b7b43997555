using System.Globalization;
using CoKv.Generation;
using CoKv.LlamaCpp;

namespace CoKv.Cli.Commands;

/// <summary>
/// Our logits against llama.cpp's on the same file, teacher-forced: every position of a token sequence, ours from one
/// decode step each (the kernels a generation runs), theirs from one batch. The relative error of a position is
/// max |ours − theirs| over the vocabulary divided by the standard deviation of theirs.
/// </summary>
sealed record LogitFidelity(int Positions, double Top1Agreement, double WorstError, double MedianError, bool ManagedSteps)
{
    public static LogitFidelity Measure(LocalModel ours, LlamaCppModel reference, int[] tokens, int threads)
    {
        using var context = LlamaCppContext.Create(reference, contextLength: tokens.Length, batchSize: tokens.Length, threads: threads);
        var theirs = context.EvaluateAllLogits(tokens);
        using var session = new InferenceSession(ours.Decoder, tokens.Length);
        var errors = new double[tokens.Length];
        int agree = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            using var logits = i == 0 ? session.Prefill([tokens[0]]) : session.Step(tokens[i]);
            var row = logits.data<float>().ToArray();
            errors[i] = RelativeError(row, theirs[i]);
            if (ArgMax(row) == ArgMax(theirs[i])) agree++;
        }
        var sorted = errors.Order().ToArray();
        return new LogitFidelity(tokens.Length, agree / (double)tokens.Length, sorted[^1], sorted[sorted.Length / 2], session.UsesManagedDecode);
    }

    static double RelativeError(float[] ours, float[] theirs)
    {
        double mean = theirs.Average(v => (double)v);
        double std = Math.Sqrt(theirs.Average(v => (v - mean) * (v - mean)));
        double worst = 0;
        for (int i = 0; i < ours.Length; i++) worst = Math.Max(worst, Math.Abs(ours[i] - theirs[i]));
        return worst / std;
    }

    static int ArgMax(float[] x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"fidelity over {Positions} teacher-forced positions ({(ManagedSteps ? "managed" : "TorchSharp")} decode steps vs llama.cpp): top-1 agreement {Top1Agreement:P1}, relative error max {WorstError:F3}, median {MedianError:F3}");
}
