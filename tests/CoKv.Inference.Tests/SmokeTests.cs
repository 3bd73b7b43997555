namespace CoKv.Tests;

public class SmokeTests
{
    [Fact]
    public void RepoRootIsFound() => Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, "CoKv.SemanticKernel.sln")));
}
