using CoKv.Generation;

namespace CoKv.Tests;

public sealed class GenerationStopStringTests
{
    [Fact]
    public void Text_that_may_start_a_stop_string_is_held_back_until_ruled_out()
    {
        var filter = new StopStringFilter(["</end>"]);
        Assert.Equal("Hello ", filter.Push("Hello </"));
        Assert.Equal("</b", filter.Push("b"));
        Assert.Equal(" ", filter.Push(" <"));
        Assert.Equal("<", filter.Flush());
    }

    [Fact]
    public void The_stop_string_and_what_follows_are_dropped()
    {
        var filter = new StopStringFilter(["STOP", "xyz"]);
        Assert.Equal("ab", filter.Push("abST"));
        Assert.Equal("STc", filter.Push("c"));
        Assert.Equal("", filter.Push("STOP and more"));
        Assert.True(filter.Stopped);
        Assert.Equal("", filter.Push("later"));
        Assert.Equal("", filter.Flush());
    }

    [Fact]
    public void Earliest_stop_string_wins_when_one_chunk_holds_several()
    {
        var filter = new StopStringFilter(["bb", "a"]);
        Assert.Equal("x", filter.Push("xabb"));
        Assert.True(filter.Stopped);
    }

    [Fact]
    public void Without_stop_strings_everything_passes_at_once() =>
        Assert.Equal("abc", new StopStringFilter([]).Push("abc"));
}
