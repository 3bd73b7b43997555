using CoKv.Shapley;

namespace CoKv.Evaluation.Tests.Shapley;

public class ExactShapleyTests
{
    [Fact]
    public void Majority_of_three_gives_a_third_each()
    {
        var phi = ExactShapley.Compute(3, s => s.Count >= 2 ? 1 : 0);
        Assert.All(phi, p => Assert.Equal(1.0 / 3, p, 12));
    }

    [Fact]
    public void Glove_game_one_left_two_right()
    {
        // Player 0 holds a left glove, 1 and 2 right gloves; a pair is worth 1. Known values: (2/3, 1/6, 1/6).
        var phi = ExactShapley.Compute(3, s => Math.Min(s.Contains(0) ? 1 : 0, (s.Contains(1) ? 1 : 0) + (s.Contains(2) ? 1 : 0)));
        Assert.Equal(2.0 / 3, phi[0], 12);
        Assert.Equal(1.0 / 6, phi[1], 12);
        Assert.Equal(1.0 / 6, phi[2], 12);
    }

    [Fact]
    public void Additive_game_values_are_the_weights_and_efficiency_holds()
    {
        var w = Games.RandomWeights(10, 3);
        var phi = ExactShapley.Compute(10, Games.Additive(w));
        for (var i = 0; i < w.Length; i++) Assert.Equal(w[i], phi[i], 10);
        var voting = ExactShapley.Compute(9, Games.WeightedVoting([5, 4, 3, 3, 2, 2, 1, 1, 1], 12));
        Assert.Equal(1.0, voting.Sum(), 10);
    }

    [Fact]
    public void Refuses_too_many_players() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ExactShapley.Compute(17, _ => 0));
}
