namespace CoKv.Tokenization;

/// <summary>
/// llama.cpp's clean_spaces pass over detokenized text (on by default for GPT-2-style BPE vocabs, Llama-3 included;
/// off for Qwen2, SmolLM and SentencePiece): drops the space before ? ! . , , around a lone apostrophe, and before
/// 's / 'm / 're / 've. It imitates Hugging Face's clean_up_tokenization_spaces.
/// </summary>
public static class SpaceCleaner
{
    public static byte[] Clean(byte[] text)
    {
        var a = DropSpaceBeforePunctuation(text);
        var b = DropSpacesAroundLoneApostrophe(a);
        return DropSpaceBeforeContractions(b);
    }

    static List<byte> DropSpaceBeforePunctuation(IReadOnlyList<byte> text)
    {
        var output = new List<byte>(text.Count);
        for (var i = 0; i < text.Count; i++)
        {
            var x = text[i];
            if (i > 0 && text[i - 1] == ' ' && x is (byte)'?' or (byte)'!' or (byte)'.' or (byte)',')
                output.RemoveAt(output.Count - 1);
            output.Add(x);
        }
        return output;
    }

    static List<byte> DropSpacesAroundLoneApostrophe(List<byte> input)
    {
        // A mutable copy: llama.cpp overwrites the dropped space with NUL, which the next comparison then sees.
        var text = input.ToArray();
        var output = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var x = text[i];
            if (i > 0 && x == '\'' && i + 1 < text.Length && text[i - 1] == ' ' && text[i + 1] == ' ')
            {
                output.RemoveAt(output.Count - 1);
                text[++i] = 0; // the space after the apostrophe goes too
            }
            output.Add(x);
        }
        return output;
    }

    static byte[] DropSpaceBeforeContractions(List<byte> text)
    {
        var output = new List<byte>(text.Count);
        for (var i = 0; i < text.Count; i++)
        {
            var x = text[i];
            if (i > 0 && text[i - 1] == ' ' && x == '\'' && i + 1 < text.Count)
            {
                var x1 = text[i + 1];
                // " 't" and " 'd" keep their space (llama.cpp leaves those cases commented out), as do " 'll".
                var drop = x1 is (byte)'s' or (byte)'m'
                           || (i + 2 < text.Count && ((x1 == 'r' && text[i + 2] == 'e') || (x1 == 'v' && text[i + 2] == 'e')));
                if (drop) output.RemoveAt(output.Count - 1);
            }
            output.Add(x);
        }
        return output.ToArray();
    }
}
