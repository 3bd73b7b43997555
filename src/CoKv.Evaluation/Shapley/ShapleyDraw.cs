using System.Text.Json.Serialization;

namespace CoKv.Shapley;

/// <summary>One evaluated draw: coalition S (sorted ids), U(S) and U(N∖S).</summary>
public sealed record ShapleyDraw(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("coalition")] int[] Coalition,
    [property: JsonPropertyName("u_in")] double UtilityIn,
    [property: JsonPropertyName("u_out")] double UtilityOut)
{
    /// <summary>The complementary contribution CC = U(S) − U(N∖S).</summary>
    [JsonIgnore]
    public double Complementary => UtilityIn - UtilityOut;

    [JsonIgnore]
    public int Size => Coalition.Length;
}
