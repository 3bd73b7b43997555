namespace CoKv.Generation.Constraints;

/// <summary>
/// Where a byte-level parse of a <see cref="GrammarNode"/> stands: the set of parse stacks still alive (a choice keeps
/// one per option until bytes rule it out). Immutable: stepping returns a new state and leaves this one usable, so a
/// vocabulary walk can branch from it.
/// </summary>
public sealed class GrammarState
{
    readonly Stack?[] _stacks;

    GrammarState(Stack?[] stacks) => _stacks = stacks;

    public static GrammarState Start(GrammarNode root)
    {
        var list = new List<Stack?>();
        Expand(new Stack(new NodeFrame(root), null), list);
        return new GrammarState(list.ToArray());
    }

    /// <summary>The grammar may end here (a null stack: nothing left to match).</summary>
    public bool CanEnd
    {
        get
        {
            foreach (var s in _stacks) if (s is null) return true;
            return false;
        }
    }

    /// <summary>No byte and no end can follow: the bytes so far left the grammar.</summary>
    public bool IsDead => _stacks.Length == 0;

    /// <summary>The state after one more byte, or null when no parse accepts it.</summary>
    public GrammarState? Step(byte b)
    {
        List<Stack?>? next = null;
        foreach (var s in _stacks)
        {
            if (s is null) continue;
            if (StepOne(s, b) is not { } moved) continue;
            next ??= new List<Stack?>(2);
            if (moved.Same) next.Add(moved.Stack);
            else Expand(moved.Stack, next);
        }
        return next is null ? null : new GrammarState(next.ToArray());
    }

    public GrammarState? Step(ReadOnlySpan<byte> bytes)
    {
        GrammarState? state = this;
        foreach (var b in bytes)
        {
            state = state.Step(b);
            if (state is null) return null;
        }
        return state;
    }

    /// <summary>
    /// When every parse is inside a JSON string with no escape or multi-byte character open, the most content bytes
    /// any of them may still take (a token of plain string text is then allowed iff it is no longer); else -1.
    /// </summary>
    public int PlainStringRoom
    {
        get
        {
            int room = -1;
            foreach (var s in _stacks)
            {
                if (s?.Top is not StringFrame { Escape: 0, Pending: 0 } str) return -1;
                room = Math.Max(room, str.Max - str.Length);
            }
            return room;
        }
    }

    /// <summary>The state after <paramref name="count"/> plain string bytes (see <see cref="PlainStringRoom"/>).</summary>
    public GrammarState AdvancePlain(int count)
    {
        var next = new List<Stack?>(_stacks.Length);
        foreach (var s in _stacks)
        {
            var str = (StringFrame)s!.Top;
            if (str.Length + count <= str.Max) next.Add(new Stack(str with { Length = str.Length + count }, s.Rest));
        }
        return new GrammarState(next.ToArray());
    }

    /// <summary>Whether some parse's next bytes are a literal that starts with <paramref name="bytes"/> (how control
    /// tokens such as [TOOL_CALLS] are allowed: only where a literal spells them).</summary>
    public bool LiteralStartsWith(ReadOnlySpan<byte> bytes)
    {
        foreach (var s in _stacks)
            if (s?.Top is LiteralFrame lit && lit.Bytes.AsSpan(lit.Position).StartsWith(bytes)) return true;
        return false;
    }

    /// <summary>The fewest bytes that complete the output from here (0 when it may end now).</summary>
    public int MinBytesToEnd
    {
        get
        {
            int best = int.MaxValue;
            foreach (var s in _stacks) best = Math.Min(best, MinBytes(s));
            return best;
        }
    }

    static int MinBytes(Stack? stack)
    {
        int total = 0;
        for (var s = stack; s is not null; s = s.Rest)
        {
            total += s.Top switch
            {
                LiteralFrame lit => lit.Bytes.Length - lit.Position,
                StringFrame str => 1 + str.Pending + (str.Escape == 1 ? 1 : str.Escape >= 2 ? 6 - str.Escape : 0),
                NumberFrame num => num.CanEnd ? 0 : num.Phase is 4 or 6 or 7 or 0 or 1 ? 1 : 0,
                SequenceFrame seq => seq.Node.Parts.Skip(seq.Next).Sum(MinBytes),
                ObjectFrame obj => 1 + obj.Node.Properties.Skip(obj.Next).Where(p => p.Required)
                    .Sum(p => p.KeyBytes.Length + MinBytes(p.Value) + 2),
                RepeatFrame rep => rep.Node.Close.Length + Math.Max(0, rep.Node.Min - rep.Count) * (MinBytes(rep.Node.Item) + rep.Node.Separator.Length),
                AnyObjectFrame => 1,
                NodeFrame node => MinBytes(node.Node),
                _ => 0,
            };
            if (total > 1_000_000) return total;
        }
        return total;
    }

    static int MinBytes(GrammarNode node) => node switch
    {
        LiteralNode lit => lit.Bytes.Length,
        StringNode => 2,
        NumberNode => 1,
        ObjectNode obj => 2 + obj.Properties.Where(p => p.Required).Sum(p => p.KeyBytes.Length + MinBytes(p.Value) + 2),
        RepeatNode rep => rep.Open.Length + rep.Close.Length + rep.Min * (MinBytes(rep.Item) + rep.Separator.Length),
        AnyObjectNode => 2,
        AnyValueNode => 1,
        SequenceNode seq => seq.Parts.Sum(MinBytes),
        ChoiceNode choice => choice.Options.Min(MinBytes),
        _ => 0,
    };

    sealed record Stack(Frame Top, Stack? Rest);

    readonly record struct Moved(Stack? Stack, bool Same);

    abstract record Frame;
    sealed record NodeFrame(GrammarNode Node) : Frame;
    sealed record LiteralFrame(byte[] Bytes, int Position) : Frame;
    /// <summary>Inside a string, after the opening quote. Escape: 0 none, 1 after '\', 2..5 hex digits of \u read so
    /// far + 2. Pending: continuation bytes a multi-byte character still needs.</summary>
    sealed record StringFrame(int Max, int Length, int Escape, int Pending) : Frame;
    /// <summary>Phase: 0 start, 1 after '-', 2 after a leading 0, 3 integer digits, 4 after '.', 5 fraction digits,
    /// 6 after 'e', 7 after the exponent sign, 8 exponent digits.</summary>
    sealed record NumberFrame(bool Integer, int Phase, int Digits) : Frame
    {
        public bool CanEnd => Phase is 2 or 3 or 5 or 8;
    }
    sealed record SequenceFrame(SequenceNode Node, int Next) : Frame;
    sealed record ObjectFrame(ObjectNode Node, int Next, bool AfterValue) : Frame;
    sealed record RepeatFrame(RepeatNode Node, int Count) : Frame;
    sealed record AnyObjectFrame(AnyObjectNode Node, int Count) : Frame;

    const int MaxDigits = 16;

    /// <summary>Adds to <paramref name="output"/> every stack that <paramref name="stack"/> stands for once all moves that
    /// take no byte are made: stacks waiting on a byte, and null for "complete".</summary>
    static void Expand(Stack? stack, List<Stack?> output)
    {
        if (stack is null)
        {
            output.Add(null);
            return;
        }
        var rest = stack.Rest;
        switch (stack.Top)
        {
            case LiteralFrame lit:
                if (lit.Position < lit.Bytes.Length) output.Add(stack);
                else Expand(rest, output);
                return;
            case StringFrame:
                output.Add(stack);
                return;
            case NumberFrame num:
                output.Add(stack);
                if (num.CanEnd) Expand(rest, output);
                return;
            case SequenceFrame seq:
                if (seq.Next == seq.Node.Parts.Count) Expand(rest, output);
                else Expand(Push(seq.Node.Parts[seq.Next], new Stack(seq with { Next = seq.Next + 1 }, rest)), output);
                return;
            case ObjectFrame obj:
                ExpandObject(obj, rest, output);
                return;
            case RepeatFrame rep:
                ExpandRepeat(rep, rest, output);
                return;
            case AnyObjectFrame any:
                ExpandAnyObject(any, rest, output);
                return;
            case NodeFrame node:
                ExpandNode(node.Node, rest, output);
                return;
        }
        throw new InvalidOperationException("Unknown grammar frame " + stack.Top.GetType().Name);
    }

    static Stack Push(GrammarNode node, Stack? rest) => new(new NodeFrame(node), rest);

    static Stack Literal(byte[] bytes, Stack? rest) => new(new LiteralFrame(bytes, 0), rest);

    static readonly byte[] Quote = "\""u8.ToArray(), OpenBrace = "{"u8.ToArray(), CloseBrace = "}"u8.ToArray(),
        Comma = ", "u8.ToArray(), Colon = ": "u8.ToArray(), True = "true"u8.ToArray(), False = "false"u8.ToArray(), Null = "null"u8.ToArray();

    static void ExpandNode(GrammarNode node, Stack? rest, List<Stack?> output)
    {
        switch (node)
        {
            case LiteralNode lit:
                Expand(Literal(lit.Bytes, rest), output);
                return;
            case StringNode str:
                output.Add(Literal(Quote, new Stack(new StringFrame(str.MaxBytes, 0, 0, 0), rest)));
                return;
            case NumberNode num:
                output.Add(new Stack(new NumberFrame(num.Integer, 0, 0), rest));
                return;
            case SequenceNode seq:
                Expand(new Stack(new SequenceFrame(seq, 0), rest), output);
                return;
            case ChoiceNode choice:
                foreach (var option in choice.Options) ExpandNode(option, rest, output);
                return;
            case ObjectNode obj:
                output.Add(Literal(OpenBrace, new Stack(new ObjectFrame(obj, 0, false), rest)));
                return;
            case RepeatNode rep:
                Expand(Literal(rep.Open, new Stack(new RepeatFrame(rep, 0), rest)), output);
                return;
            case AnyObjectNode any:
                output.Add(Literal(OpenBrace, new Stack(new AnyObjectFrame(any, 0), rest)));
                return;
            case AnyValueNode value:
                ExpandAnyValue(value, rest, output);
                return;
        }
        throw new InvalidOperationException("Unknown grammar node " + node.GetType().Name);
    }

    static void ExpandObject(ObjectFrame obj, Stack? rest, List<Stack?> output)
    {
        var properties = obj.Node.Properties;
        for (int j = obj.Next; j < properties.Count; j++)
        {
            var property = properties[j];
            var after = new Stack(new ObjectFrame(obj.Node, j + 1, true), rest);
            var key = Literal(property.KeyBytes, Push(property.Value, after));
            output.Add(obj.AfterValue ? Literal(Comma, key) : key);
            if (property.Required) return;
        }
        output.Add(Literal(CloseBrace, rest));
    }

    static void ExpandRepeat(RepeatFrame rep, Stack? rest, List<Stack?> output)
    {
        var node = rep.Node;
        if (rep.Count >= node.Min) Expand(Literal(node.Close, rest), output);
        if (rep.Count >= node.Max) return;
        var item = Push(node.Item, new Stack(rep with { Count = rep.Count + 1 }, rest));
        Expand(rep.Count == 0 ? item : Literal(node.Separator, item), output);
    }

    static void ExpandAnyObject(AnyObjectFrame any, Stack? rest, List<Stack?> output)
    {
        var node = any.Node;
        output.Add(Literal(CloseBrace, rest));
        if (any.Count >= node.MaxProperties) return;
        var after = new Stack(any with { Count = any.Count + 1 }, rest);
        var value = Push(new AnyValueNode(node.Depth - 1, node.MaxProperties, node.MaxStringBytes), after);
        var key = Literal(Quote, new Stack(new StringFrame(node.MaxStringBytes, 0, 0, 0), Literal(Colon, value)));
        output.Add(any.Count == 0 ? key : Literal(Comma, key));
    }

    static void ExpandAnyValue(AnyValueNode value, Stack? rest, List<Stack?> output)
    {
        output.Add(Literal(Quote, new Stack(new StringFrame(value.MaxStringBytes, 0, 0, 0), rest)));
        output.Add(new Stack(new NumberFrame(false, 0, 0), rest));
        output.Add(Literal(True, rest));
        output.Add(Literal(False, rest));
        output.Add(Literal(Null, rest));
        if (value.Depth <= 0) return;
        ExpandNode(new AnyObjectNode(value.Depth, value.MaxItems, value.MaxStringBytes), rest, output);
        var items = new AnyValueNode(value.Depth - 1, value.MaxItems, value.MaxStringBytes);
        ExpandNode(new RepeatNode(items, 0, value.MaxItems, "[", ", ", "]"), rest, output);
    }

    static Moved? StepOne(Stack stack, byte b)
    {
        switch (stack.Top)
        {
            case LiteralFrame lit:
                if (lit.Bytes[lit.Position] != b) return null;
                return new Moved(new Stack(lit with { Position = lit.Position + 1 }, stack.Rest), false);
            case StringFrame str:
                return StepString(str, stack.Rest, b);
            case NumberFrame num:
                return StepNumber(num, stack.Rest, b);
        }
        return null;
    }

    static Moved? StepString(StringFrame str, Stack? rest, byte b)
    {
        if (str.Pending > 0)
        {
            if (b is < 0x80 or > 0xBF) return null;
            return new Moved(new Stack(str with { Pending = str.Pending - 1, Length = str.Length + 1 }, rest), true);
        }
        if (str.Escape == 1)
        {
            if (b == (byte)'u') return Grow(str with { Escape = 2 }, rest);
            return b is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t'
                ? Grow(str with { Escape = 0 }, rest) : null;
        }
        if (str.Escape >= 2)
        {
            if (!Uri.IsHexDigit((char)b)) return null;
            return Grow(str with { Escape = str.Escape == 5 ? 0 : str.Escape + 1 }, rest);
        }
        if (b == (byte)'"') return new Moved(rest, false);
        if (b < 0x20) return null;
        // An escape takes at least two bytes: do not start one that cannot end within the limit.
        if (b == (byte)'\\') return str.Length + 2 <= str.Max ? Grow(str with { Escape = 1 }, rest) : null;
        if (b < 0x80) return Grow(str, rest);
        int pending = b switch { >= 0xC2 and <= 0xDF => 1, >= 0xE0 and <= 0xEF => 2, >= 0xF0 and <= 0xF4 => 3, _ => -1 };
        if (pending < 0 || str.Length + pending + 1 > str.Max) return null;
        return Grow(str with { Pending = pending }, rest);
    }

    static Moved? Grow(StringFrame str, Stack? rest) =>
        str.Length >= str.Max ? null : new Moved(new Stack(str with { Length = str.Length + 1 }, rest), true);

    static Moved? StepNumber(NumberFrame num, Stack? rest, byte b)
    {
        bool digit = b is >= (byte)'0' and <= (byte)'9';
        int phase = num.Phase;
        int next = -1;
        switch (phase)
        {
            case 0:
                if (b == (byte)'-') next = 1;
                else if (b == (byte)'0') next = 2;
                else if (digit) next = 3;
                break;
            case 1:
                if (b == (byte)'0') next = 2;
                else if (digit) next = 3;
                break;
            case 2:
            case 3:
                if (phase == 3 && digit) next = 3;
                else if (!num.Integer && b == (byte)'.') next = 4;
                else if (!num.Integer && b is (byte)'e' or (byte)'E') next = 6;
                break;
            case 4:
            case 5:
                if (digit) next = 5;
                else if (phase == 5 && b is (byte)'e' or (byte)'E') next = 6;
                break;
            case 6:
                if (b is (byte)'+' or (byte)'-') next = 7;
                else if (digit) next = 8;
                break;
            case 7:
            case 8:
                if (digit) next = 8;
                break;
        }
        if (next < 0) return null;
        // Digits are counted per part (integer, fraction, exponent), so a part just opened can always take one.
        int digits = !digit ? 0 : next == phase ? num.Digits + 1 : 1;
        if (digits > (next == 8 ? 3 : MaxDigits)) return null;
        // Still waiting on a byte, or (for a number that can end) expanded again so the parent may take the next one.
        return new Moved(new Stack(num with { Phase = next, Digits = digits }, rest), false);
    }
}
