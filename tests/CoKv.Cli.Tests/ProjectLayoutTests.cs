using System.Reflection;
using CoKv.SemanticKernel;

namespace CoKv.Tests;

/// <summary>The connector package must not carry the trainer: CoKv.Training is for the CLI (and tests) only.</summary>
public sealed class ProjectLayoutTests
{
    /// <summary>Names of the project's own assemblies reachable from <paramref name="root"/> through references.</summary>
    static HashSet<string> OwnDependencies(Assembly root)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<Assembly>([root]);
        while (pending.TryPop(out var assembly))
            foreach (var name in assembly.GetReferencedAssemblies())
                if (name.Name!.StartsWith("CoKv.", StringComparison.Ordinal) && seen.Add(name.Name))
                    pending.Push(Assembly.Load(name));
        return seen;
    }

    [Fact]
    public void The_connector_reaches_inference_but_not_training()
    {
        var connector = OwnDependencies(typeof(CoKvChatClient).Assembly);
        Assert.Contains("CoKv.Inference", connector);
        Assert.DoesNotContain("CoKv.Training", connector);
        Assert.DoesNotContain("CoKv.Plotting", connector);
    }

    [Fact]
    public void The_cli_reaches_training_and_plotting()
    {
        var cli = OwnDependencies(typeof(CoKv.Cli.Commands.TrainCommand).Assembly);
        Assert.Contains("CoKv.Training", cli);
        Assert.Contains("CoKv.Plotting", cli);
    }
}
