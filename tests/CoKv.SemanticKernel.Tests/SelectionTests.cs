using CoKv.Profiles;
using CoKv.SemanticKernel.Selection;
using CoKv.Tests;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Tests;

public sealed class SelectionTests
{
    const string Fingerprint = "fp-test-0123456789abcdef";

    static (BudgetProfileSelector Selector, string Dir) Selector(Action<CoKvOptions>? tweak = null, params string[] profiled)
    {
        var dir = TestPaths.TempDir("cokv-sk-selector");
        var store = new ProfileStore(dir);
        foreach (var task in profiled)
            store.Save(new BudgetProfile { ModelFingerprint = Fingerprint, TaskType = task, Method = "cokv", Scores = HeadScores.Create(2, 2, [1, 2, 3, 4]) });
        var options = new CoKvOptions { ModelPath = "unused", ProfileDirectory = dir, DefaultBudget = 64 };
        tweak?.Invoke(options);
        return (new BudgetProfileSelector(options, new RuleTaskClassifier()), dir);
    }

    static List<ChatMessage> Ask(string text) => [new(ChatRole.User, text)];

    [Fact]
    public void ExplicitTaskType_WithProfile_IsExplicit()
    {
        var (selector, _) = Selector(null, "single-doc-qa");
        var s = selector.Select(Ask("hi"), new CoKvRequestSettings { TaskType = "single-doc-qa", Budget = 32 }, Fingerprint);
        Assert.Equal((ProfileReason.Explicit, "cokv", "single-doc-qa", 32), (s.Reason, s.Policy, s.TaskType, s.Budget));
        Assert.NotNull(s.Profile);
    }

    [Fact]
    public void ExplicitTaskType_WithoutProfile_FallsBackAndSaysWhy()
    {
        var (selector, _) = Selector();
        var s = selector.Select(Ask("hi"), new CoKvRequestSettings { TaskType = "code" }, Fingerprint);
        Assert.Equal((ProfileReason.Fallback, "ada", "code"), (s.Reason, s.Policy, s.TaskType));
        Assert.Contains("no cokv profile", s.Note);
    }

    [Fact]
    public void ExplicitPolicyThatNeedsNoProfile_IsExplicit()
    {
        var (selector, _) = Selector(null, "summarization");
        var s = selector.Select(Ask("Summarize this."), new CoKvRequestSettings { BudgetPolicy = "pyramid" }, Fingerprint);
        Assert.Equal((ProfileReason.Explicit, "pyramid"), (s.Reason, s.Policy));
        Assert.Null(s.Profile);
    }

    [Fact]
    public void ClassifiedTaskType_WithProfile_IsClassified()
    {
        var (selector, _) = Selector(null, "summarization");
        var s = selector.Select(Ask("Please summarize the following report."), new CoKvRequestSettings(), Fingerprint);
        Assert.Equal((ProfileReason.Classified, "summarization", "cokv"), (s.Reason, s.TaskType, s.Policy));
        Assert.Contains("summary", s.Note);
    }

    [Fact]
    public void UnrecognisedRequest_UsesTheDefaultTaskTypeProfile()
    {
        var (selector, _) = Selector(o => o.DefaultTaskType = "multi-doc-qa", "multi-doc-qa");
        var s = selector.Select(Ask("hello there"), new CoKvRequestSettings(), Fingerprint);
        Assert.Equal((ProfileReason.Default, "multi-doc-qa"), (s.Reason, s.TaskType));
    }

    [Fact]
    public void NothingApplies_FallsBackToAda()
    {
        var (selector, _) = Selector();
        var s = selector.Select(Ask("hello there"), new CoKvRequestSettings(), Fingerprint);
        Assert.Equal((ProfileReason.Fallback, "ada", 64), (s.Reason, s.Policy, s.Budget));
        Assert.Null(s.Profile);
    }

    [Fact]
    public void ProfileOfAnotherModel_IsNeverUsed()
    {
        var (selector, dir) = Selector(null, "code");
        Assert.Equal(ProfileReason.Fallback, selector.Select(Ask("x"), new CoKvRequestSettings { TaskType = "code" }, "another-model-fp").Reason);
        var file = ProfileStore.FileName(Fingerprint, "code", "cokv");
        Assert.Throws<ProfileModelMismatchException>(() => selector.Select(Ask("x"), new CoKvRequestSettings { Profile = file }, "another-model-fp"));
        Assert.Equal(ProfileReason.Explicit, selector.Select(Ask("x"), new CoKvRequestSettings { Profile = Path.Combine(dir, file) }, Fingerprint).Reason);
    }

    [Theory]
    [InlineData("Can you summarize this article for me?", "summarization")]
    [InlineData("TL;DR please", "summarization")]
    [InlineData("Why does this fail?\n```csharp\nvar x = 1;\n```", "code")]
    [InlineData("def add(a, b):\n    return a + b\n\nWhat does it do?", "code")]
    [InlineData("Q: 2+2\nA: 4\nQ: 3+3\nA: 6\nQ: 5+5", "few-shot")]
    [InlineData("Document 1: Paris is in France.\nDocument 2: Rome is in Italy.\nWhere is Rome?", "multi-doc-qa")]
    public void RuleClassifier_RecognisesTheTaskTypes(string text, string expected)
    {
        Assert.Equal(expected, new RuleTaskClassifier().Classify(Ask(text))?.TaskType);
    }

    [Fact]
    public void RuleClassifier_LongDocumentWithAQuestion_IsSingleDocQa()
    {
        var doc = string.Concat(Enumerable.Repeat("The river flows north past the old mill and the village green. ", 40));
        Assert.Equal("single-doc-qa", new RuleTaskClassifier().Classify(Ask(doc + "\nWhich way does the river flow?"))?.TaskType);
        Assert.Null(new RuleTaskClassifier().Classify(Ask("Which way does the river flow?")));
    }
}
