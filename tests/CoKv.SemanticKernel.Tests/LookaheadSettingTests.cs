using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CoKv.SemanticKernel.Tests;

/// <summary>The look-ahead before compression, as a connector user sets it: the registration's default, a request's
/// "lookahead" setting, and the number of look-ahead tokens the response reports.</summary>
public sealed class LookaheadSettingTests
{
    static async Task<ChatResponse> Ask(IChatClient client, int? lookahead, string policy = "snapkv")
    {
        var extra = new AdditionalPropertiesDictionary { [CoKvSettingKeys.BudgetPolicy] = policy };
        if (lookahead is { } l) extra[CoKvSettingKeys.Lookahead] = l;
        return await client.GetResponseAsync(TestHosts.Story, new ChatOptions { MaxOutputTokens = 12, AdditionalProperties = extra });
    }

    [Fact]
    public async Task The_registration_default_runs_a_request_can_turn_it_off_and_the_response_says_how_many_ran()
    {
        using var host = TestHosts.Build(o => o.Lookahead = 5);
        var client = host.Services.GetRequiredService<IChatClient>();

        var byDefault = await Ask(client, lookahead: null);
        var off = await Ask(client, lookahead: 0);
        var longer = await Ask(client, lookahead: 9);
        var full = await Ask(client, lookahead: 9, policy: "full");

        Assert.Equal(5, byDefault.AdditionalProperties![CoKvMetadataKeys.Lookahead]);
        Assert.Equal(0, off.AdditionalProperties![CoKvMetadataKeys.Lookahead]);
        Assert.Equal(9, longer.AdditionalProperties![CoKvMetadataKeys.Lookahead]);
        Assert.Equal(0, full.AdditionalProperties![CoKvMetadataKeys.Lookahead]); // nothing is compressed, nothing to look ahead for
        Assert.All([byDefault, off, longer], r => Assert.Equal(12, r.Usage!.OutputTokenCount));
    }

    [Fact]
    public void A_bad_lookahead_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => CoKvRequestSettings.From(new ChatOptions
        {
            AdditionalProperties = new() { [CoKvSettingKeys.Lookahead] = -1 },
        }));
        Assert.Contains(CoKvSettingKeys.Lookahead, error.Message);
        var settings = CoKvRequestSettings.From(new CoKvPromptExecutionSettings { Lookahead = 3 }.ToChatOptions());
        Assert.Equal(3, settings.Lookahead);
    }
}
