namespace CoKv.SemanticKernel.Tests;

/// <summary>Tests that run the model: libtorch's thread count is process-wide, so they never run side by side.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "torch";
}
