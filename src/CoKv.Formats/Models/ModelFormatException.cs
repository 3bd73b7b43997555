namespace CoKv.Models;

/// <summary>A model, tokenizer or profile file that cannot be used: the message names the file and the problem.</summary>
public class ModelFormatException : Exception
{
    public ModelFormatException(string message) : base(message) { }
    public ModelFormatException(string message, Exception inner) : base(message, inner) { }
}
