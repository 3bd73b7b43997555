using CoKv.Cache;
using CoKv.Decoding;
using static TorchSharp.torch;

namespace CoKv.Tests;

/// <summary>
/// Prefill attention of a chunk (grouped query heads against KV heads expanded without a copy) equals a naive causal
/// softmax where query t of a chunk of T sees keys 0 … S − T + t; and the feed-forward's in-place inference form
/// equals its autograd form.
/// </summary>
public sealed class GroupedAttentionTests
{
    [Theory]
    [InlineData(6, 2, 16, 5, 5)]    // the first chunk: causal among the new tokens only
    [InlineData(6, 2, 16, 5, 12)]   // a later chunk: every earlier key visible
    [InlineData(8, 8, 8, 7, 20)]    // no grouping
    [InlineData(9, 3, 64, 4, 9)]    // SmolLM2's grouping
    [InlineData(4, 1, 12, 1, 6)]    // one row (the grouped-rows path)
    public void A_chunk_equals_a_naive_causal_softmax(int heads, int kvHeads, int dim, int steps, int keys)
    {
        using var scope = NewDisposeScope();
        manual_seed(heads * 100 + keys);
        // q as a layer makes it: [T, H, d] transposed to [H, T, d], so its strides are not contiguous.
        var q = randn(steps, heads, dim).transpose(0, 1);
        var k = randn(kvHeads, keys, dim);
        var v = randn(kvHeads, keys, dim);
        var actual = GroupedAttention.Causal(q, k, v).contiguous().data<float>().ToArray();

        float[] qs = q.contiguous().data<float>().ToArray(), ks = k.data<float>().ToArray(), vs = v.data<float>().ToArray();
        int group = heads / kvHeads;
        for (int h = 0; h < heads; h++)
            for (int t = 0; t < steps; t++)
            {
                int kv = h / group, visible = keys - steps + t + 1;
                var scores = new double[visible];
                for (int s = 0; s < visible; s++)
                {
                    double dot = 0;
                    for (int i = 0; i < dim; i++) dot += qs[(h * steps + t) * dim + i] * ks[(kv * keys + s) * dim + i];
                    scores[s] = dot / Math.Sqrt(dim);
                }
                double max = scores.Max(), total = scores.Sum(x => Math.Exp(x - max));
                for (int i = 0; i < dim; i++)
                {
                    double expected = 0;
                    for (int s = 0; s < visible; s++) expected += Math.Exp(scores[s] - max) / total * vs[(kv * keys + s) * dim + i];
                    Assert.Equal(expected, actual[(h * steps + t) * dim + i], 1e-4);
                }
            }
    }

    [Fact]
    public void The_in_place_feed_forward_equals_the_autograd_one()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var mlp = new FeedForward(16, 40, ScalarType.Float32);
        foreach (var p in mlp.parameters()) using (no_grad()) p.normal_(0, 0.3);
        var x = randn(1, 6, 16);

        Tensor inference;
        using (no_grad()) inference = mlp.forward(x);
        var trained = x.clone().requires_grad_(true);
        var reference = mlp.forward(trained);
        reference.sum().backward();

        Assert.True(inference.allclose(reference.detach(), rtol: 1e-5, atol: 1e-6));
        Assert.NotNull(trained.grad);
        Assert.True(trained.grad!.abs().sum().item<float>() > 0);

        // Trainable weights and an input that needs no gradient (the first layer's, say) keep the autograd form too.
        foreach (var p in mlp.parameters()) p.grad?.zero_();
        mlp.forward(x).sum().backward();
        Assert.All(mlp.parameters(), p => Assert.True(p.grad!.abs().sum().item<float>() > 0));
    }
}
