using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using CoKv.Profiling;
using CoKv.Tests;

namespace CoKv.SemanticKernel.Tests;

/// <summary>
/// The library as a user gets it: the libraries packed into a local folder feed, a fresh console project outside the
/// repository that references only CoKv.SemanticKernel from that feed (plus Semantic Kernel and Hosting), restored,
/// built and run on the default model. Costs about a minute on 2 cores (pack, restore, a build that copies libtorch,
/// one answer) and half a gigabyte of temporary disk, removed afterwards; skip it with
/// <c>--filter Category!=Packaging</c>.
/// </summary>
[Collection(TorchCollection.Name)]
[Trait("Category", "Packaging")]
public sealed class PackageConsumerTests
{
    static readonly string[] Libraries = ["CoKv.Formats", "CoKv.Evaluation", "CoKv.Inference", "CoKv.LlamaCpp", "CoKv.SemanticKernel"];

    [Fact]
    public void A_fresh_project_outside_the_repository_answers_from_the_packed_library()
    {
        var root = TestPaths.TempDir("consumer");
        try
        {
            // A version of its own: the global packages folder may hold an older package of the plain version.
            var version = "0.1.0-test-" + Guid.NewGuid().ToString("N")[..8];
            var feed = Path.Combine(root, "feed");
            var configuration = typeof(PackageConsumerTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            // The test run has built these projects already: pack that build.
            Dotnet(TestPaths.RepoRoot, "msbuild", Path.Combine("build", "PackLibraries.proj"), "-t:Pack", "-nologo", "-p:NoBuild=true",
                $"-p:Configuration={configuration}", $"-p:Version={version}", $"-p:PackageOutputPath={feed}");
            CheckPackages(feed, version);

            var app = Path.Combine(root, "app");
            Directory.CreateDirectory(app);
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs"), Path.Combine(app, "Program.cs"));
            File.WriteAllText(Path.Combine(app, "Consumer.csproj"), ConsumerProject(version, Path.Combine(root, "packages")));
            File.WriteAllText(Path.Combine(app, "NuGet.config"), ConsumerNuGetConfig(feed));
            Dotnet(app, "build", "-c", "Release", "-nologo");

            var sample = DefaultTaskSamples.Generate("default:single-needle", 512, 1, seed: 2026)[0];
            var prompt = Path.Combine(root, "prompt.txt");
            File.WriteAllText(prompt, $"{sample.Context} {sample.Input}");
            var model = Path.Combine(TestPaths.RepoRoot, "models", "cokv-default", "cokv-default.gguf");
            var output = Dotnet(app, Path.Combine(app, "bin", "Release", "net10.0", "Consumer.dll"), model, prompt);

            var answer = Between(output, "ANSWER[", "]");
            Assert.False(answer.StartsWith(' '), $"'{answer}' starts with a space");
            foreach (var fact in sample.AllClasses!)
                Assert.Contains(fact, answer);
            Assert.Equal(BudgetPolicyNames.Ada, Between(output, "POLICY[", "]"));
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } // best effort: the answer is what counts
        }
    }

    /// <summary>Every library packed with its metadata and symbols; the native-load fix rides in buildTransitive.</summary>
    static void CheckPackages(string feed, string version)
    {
        foreach (var id in Libraries)
        {
            var path = Path.Combine(feed, $"{id}.{version}.nupkg");
            Assert.True(File.Exists(path), $"{path} was not packed");
            Assert.True(File.Exists(Path.ChangeExtension(path, ".snupkg")), $"{id} has no symbol package");
            using var zip = ZipFile.OpenRead(path);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("README.md", names);
            Assert.Contains($"lib/net10.0/{id}.xml", names);
            using var nuspecStream = zip.GetEntry($"{id}.nuspec")!.Open();
            var metadata = XDocument.Load(nuspecStream).Root!.Elements().First(e => e.Name.LocalName == "metadata");
            string Field(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
            Assert.Equal("MIT", Field("license"));
            Assert.False(string.IsNullOrWhiteSpace(Field("authors")));
            Assert.DoesNotContain("Package Description", Field("description"));
            Assert.NotNull(metadata.Elements().FirstOrDefault(e => e.Name.LocalName == "repository")?.Attribute("url"));
            var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToList();
            foreach (var unused in new[] { "Microsoft.ML.Tokenizers", "Spectre.Console", "Microsoft.Extensions.Options.DataAnnotations", "Microsoft.Extensions.VectorData.Abstractions", "BenchmarkDotNet" })
                Assert.DoesNotContain(unused, dependencies);
            if (id == "CoKv.Inference")
            {
                Assert.Contains("buildTransitive/CoKv.Inference.targets", names);
                Assert.Contains("buildTransitive/WeakenGlibcxxRequirement.cs", names);
            }
        }
    }

    static string ConsumerProject(string version, string packages)
    {
        var versions = XDocument.Load(Path.Combine(TestPaths.RepoRoot, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => e.Attribute("Include")!.Value, e => e.Attribute("Version")!.Value);
        // Packages go to a folder of this test's own; the machine's global folder serves what it already holds.
        var global = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <RestorePackagesPath>{packages}</RestorePackagesPath>
                <RestoreAdditionalProjectFallbackFolders>{(Directory.Exists(global) ? global : "")}</RestoreAdditionalProjectFallbackFolders>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="CoKv.SemanticKernel" Version="{version}" />
                <PackageReference Include="Microsoft.SemanticKernel.Core" Version="{versions["Microsoft.SemanticKernel.Core"]}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="{versions["Microsoft.Extensions.Hosting"]}" />
              </ItemGroup>
            </Project>
            """;
    }

    /// <summary>The feed first, then the repository's own package sources.</summary>
    static string ConsumerNuGetConfig(string feed)
    {
        var sources = XDocument.Load(Path.Combine(TestPaths.RepoRoot, "NuGet.config")).Descendants("packageSources").Single();
        sources.AddFirst(new XElement("add", new XAttribute("key", "cokv-local-feed"), new XAttribute("value", feed)));
        sources.AddFirst(new XElement("clear"));
        foreach (var clear in sources.Elements("clear").Skip(1).ToList()) clear.Remove();
        return new XDocument(new XElement("configuration", sources)).ToString();
    }

    static string Between(string text, string start, string end)
    {
        var at = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(at >= 0, $"no {start} in the output:\n{text}");
        at += start.Length;
        return text[at..text.IndexOf(end, at, StringComparison.Ordinal)];
    }

    /// <summary>Runs dotnet with a clean MSBuild environment (the test host's own variables would steer the child build).</summary>
    static string Dotnet(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)} did not finish in 10 minutes:\n{output}");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited with {process.ExitCode}:\n{output}");
        return output.ToString();
    }
}
