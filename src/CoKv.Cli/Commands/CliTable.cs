using Spectre.Console;

namespace CoKv.Cli.Commands;

/// <summary>
/// Result tables: a Spectre.Console table when stdout is a terminal; when it is redirected, the caller's plain
/// fixed-width lines, which scripts (and the tests) split on whitespace.
/// </summary>
static class CliTable
{
    public static void Print(string[] headers, IEnumerable<string[]> rows, Action plain)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            plain();
            return;
        }
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var (header, i) in headers.Select((h, i) => (h, i)))
            table.AddColumn(new TableColumn(Markup.Escape(header)) { Alignment = i == 0 ? Justify.Left : Justify.Right });
        foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
    }
}
