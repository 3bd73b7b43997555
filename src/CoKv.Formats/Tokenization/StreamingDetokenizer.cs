using System.Text;

namespace CoKv.Tokenization;

/// <summary>
/// Turns ids into text one at a time while generating. Each <see cref="Append"/> returns only text that is final:
/// bytes of an unfinished UTF-8 character are held back until the token that completes them, and with vocabularies
/// that clean spaces (" ." → ".") a space is held back until the characters that decide its fate have arrived. The
/// concatenation of everything returned (with <see cref="Flush"/>) equals the tokenizer's Decode of the sequence.
/// </summary>
public sealed class StreamingDetokenizer
{
    readonly ITokenizer _tokenizer;
    readonly VocabTokenizer? _vocab;
    readonly bool _continuesSequence;
    readonly bool _renderSpecial;
    readonly List<byte> _raw = [];       // printed pieces, before space cleaning
    readonly List<int> _ids = [];        // for tokenizers this class cannot print piecewise
    readonly StringBuilder _emitted = new();
    int _emittedBytes;                    // bytes of the (cleaned) output already returned

    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="continuesSequence">True when the ids continue text already printed (e.g. generated tokens after a
    /// prompt): the first id keeps its leading space. False decodes as a whole sequence does, where the first token
    /// of a space-prefixed vocabulary loses it.</param>
    /// <param name="renderSpecial">Print control tokens as their text.</param>
    public StreamingDetokenizer(ITokenizer tokenizer, bool continuesSequence = false, bool renderSpecial = false)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _vocab = tokenizer as VocabTokenizer;
        _continuesSequence = continuesSequence;
        _renderSpecial = renderSpecial;
    }

    /// <summary>Everything returned so far.</summary>
    public string Text => _emitted.ToString();

    /// <summary>Adds one id; returns the text it completes (possibly empty).</summary>
    public string Append(int id)
    {
        if (_vocab != null)
            _vocab.AppendPiece(_raw, id, _renderSpecial, stripLeadingSpace: _ids.Count == 0 && !_continuesSequence && _vocab.AddSpacePrefix);
        _ids.Add(id);
        var output = Printed();
        return Emit(output, StableLength(output));
    }

    /// <summary>Returns whatever is still held back (an unfinished character prints as U+FFFD), as at the end of generation.</summary>
    public string Flush()
    {
        var output = Printed();
        return Emit(output, output.Length);
    }

    public void Reset()
    {
        _raw.Clear();
        _ids.Clear();
        _emitted.Clear();
        _emittedBytes = 0;
    }

    byte[] Printed()
    {
        if (_vocab == null)
        {
            // Any other ITokenizer: decode the whole sequence (its Decode is the reference), at O(n) per token.
            var text = _renderSpecial ? _tokenizer.Decode(_ids, renderSpecial: true) : _tokenizer.Decode(_ids);
            return Encoding.UTF8.GetBytes(text.TrimEnd('\uFFFD'));
        }
        var raw = _raw.ToArray();
        return _vocab.CleanSpaces ? SpaceCleaner.Clean(raw) : raw;
    }

    int StableLength(byte[] output)
    {
        var end = output.Length;
        if (_vocab is { CleanSpaces: true })
        {
            // A space's removal depends on at most the three characters after it.
            for (var i = Math.Max(_emittedBytes, output.Length - 4); i < output.Length; i++)
                if (output[i] == ' ') { end = i; break; }
        }
        return CompleteUtf8Prefix(output, end);
    }

    /// <summary>The longest prefix of output[..end] that does not end inside a UTF-8 character.</summary>
    static int CompleteUtf8Prefix(byte[] output, int end)
    {
        var lead = end - 1;
        // Walk back over at most three continuation bytes to the character's lead byte.
        while (lead >= 0 && end - lead <= 4 && (output[lead] & 0xC0) == 0x80) lead--;
        if (lead < 0) return end;
        var b = output[lead];
        var needed = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
        return end - lead >= needed ? end : lead;
    }

    string Emit(byte[] output, int upTo)
    {
        if (upTo <= _emittedBytes) return "";
        var text = Encoding.UTF8.GetString(output, _emittedBytes, upTo - _emittedBytes);
        _emittedBytes = upTo;
        _emitted.Append(text);
        return text;
    }
}
