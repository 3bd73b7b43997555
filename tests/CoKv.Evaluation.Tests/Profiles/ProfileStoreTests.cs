using CoKv.Profiles;

namespace CoKv.Evaluation.Tests.Profiles;

public class ProfileStoreTests
{
    const string Fingerprint = "sha256:0123456789abcdef0123456789abcdef";

    static BudgetProfile Sample(string taskType = "single-doc-qa", string fingerprint = Fingerprint) => new()
    {
        ModelFingerprint = fingerprint,
        ModelDescription = "tiny llama, 2 layers x 2 KV heads",
        TaskType = taskType,
        Method = ProfileMethods.Cokv,
        Scores = HeadScores.Create(2, 2, [0.1, -0.25, 1.0 / 3, 2e-9]),
        Parameters = new ProfileParameters { CoalitionSizes = [1, 2], SamplesPerSize = 32, Window = 8, Metric = "qa_f1", Utility = "metric", Seeds = [1, 2] },
        Provenance = new ProfileProvenance { DatasetSha256 = new string('a', 64), SampleCount = 12, ConvergenceMae = 0.01 },
        CreatedUtc = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc),
    };

    [Fact]
    public void Save_and_load_round_trip_atomically()
    {
        var dir = TestPaths.TempDir("profiles");
        var store = new ProfileStore(dir);
        var path = store.Save(Sample());
        Assert.Equal("sha256-012345678.single-doc-qa.cokv.json", Path.GetFileName(path));
        Assert.Single(Directory.GetFiles(dir)); // no temp file left behind

        var json = File.ReadAllText(path);
        Assert.Contains("\"model_fingerprint\"", json);
        Assert.Contains("\"kv_heads\": 2", json);
        Assert.Contains("\"samples_per_size\": 32", json);

        var loaded = store.Load(path);
        var original = Sample();
        Assert.Equal(original.Scores.Values, loaded.Scores.Values);
        Assert.Equal((2, 2), (loaded.Scores.Layers, loaded.Scores.KvHeads));
        Assert.Equal(original.Parameters.CoalitionSizes, loaded.Parameters.CoalitionSizes);
        Assert.Equal(original.Parameters.Seeds, loaded.Parameters.Seeds);
        Assert.Equal(original.Provenance, loaded.Provenance with { Datasets = null });
        Assert.Equal(original.CreatedUtc, loaded.CreatedUtc);
        Assert.Equal((original.ModelFingerprint, original.TaskType, original.Method, original.ModelDescription),
            (loaded.ModelFingerprint, loaded.TaskType, loaded.Method, loaded.ModelDescription));

        store.Save(Sample() with { ModelDescription = "replaced" });
        Assert.Equal("replaced", store.Load(path).ModelDescription);
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Profile_for_another_model_is_refused_naming_both_fingerprints()
    {
        var store = new ProfileStore(TestPaths.TempDir("profiles"));
        var path = store.Save(Sample());
        var e = Assert.Throws<ProfileModelMismatchException>(() => store.Load(path, "sha256:ffff"));
        Assert.Contains(Fingerprint, e.Message);
        Assert.Contains("sha256:ffff", e.Message);
        Assert.Equal(Fingerprint, store.Load(path, Fingerprint).ModelFingerprint);
    }

    [Fact]
    public void Unknown_schema_version_is_refused_naming_the_version()
    {
        var dir = TestPaths.TempDir("profiles");
        var store = new ProfileStore(dir);
        var json = ProfileStore.Serialize(Sample()).Replace("\"schema_version\": 1", "\"schema_version\": 99");
        File.WriteAllText(Path.Combine(dir, "future.json"), json);
        var e = Assert.Throws<UnsupportedProfileSchemaException>(() => store.Load("future.json"));
        Assert.Contains("99", e.Message);
        Assert.Equal(99, e.SchemaVersion);
        Assert.Empty(store.List());
    }

    [Fact]
    public void Corrupt_scores_are_refused_on_load()
    {
        var json = ProfileStore.Serialize(Sample()).Replace("\"layers\": 2", "\"layers\": 3");
        Assert.Throws<ProfileFormatException>(() => ProfileStore.Deserialize(json));
    }

    [Fact]
    public void TryFind_and_List()
    {
        var store = new ProfileStore(TestPaths.TempDir("profiles"));
        store.Save(Sample());
        store.Save(Sample("code") with { CreatedUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) });
        Assert.True(store.TryFind(Fingerprint, "single-doc-qa", ProfileMethods.Cokv, out var found));
        Assert.Equal("single-doc-qa", found!.TaskType);
        Assert.False(store.TryFind(Fingerprint, "summarization", ProfileMethods.Cokv, out _));
        Assert.False(store.TryFind(Fingerprint, "single-doc-qa", ProfileMethods.Baklava, out _));
        // Same 16-character prefix, different model: the file name matches but the profile is not its.
        Assert.False(store.TryFind(Fingerprint + "00", "single-doc-qa", ProfileMethods.Cokv, out _));

        var list = store.List();
        Assert.Equal(["code", "single-doc-qa"], list.Select(e => e.TaskType));
        Assert.All(list, e => Assert.Equal(Fingerprint, e.ModelFingerprint));
        Assert.Empty(new ProfileStore(Path.Combine(store.Directory, "missing")).List());
    }
}
