using CoKv.Gguf;
using CoKv.HuggingFace;
using CoKv.Llama2c;
using CoKv.SafeTensors;
using CoKv.Tokenization;

namespace CoKv.Models;

/// <summary>Opens a model by path: a Hugging Face folder, a .gguf file, or a llama2.c .bin checkpoint.</summary>
public static class ModelFiles
{
    /// <param name="tokenizerPath">For llama2.c checkpoints, the tokenizer .bin; by default tokenizer.bin or tok*.bin beside the model.</param>
    public static ModelBundle Open(string path, string? tokenizerPath = null)
    {
        if (Directory.Exists(path)) return OpenHuggingFace(path);
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: no such model file or folder.");
        var ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".gguf" => OpenGguf(path),
            ".bin" => OpenLlama2c(path, tokenizerPath),
            _ => throw new ModelFormatException($"{path}: unknown model format '{ext}'; expected a Hugging Face folder, a .gguf file or a llama2.c .bin checkpoint."),
        };
    }

    static ModelBundle OpenGguf(string path)
    {
        var file = GgufFile.Open(path);
        GgufWeightSource? weights = null;
        try
        {
            var config = GgufConfig.ToModelConfig(file);
            weights = new GgufWeightSource(file, config, ownsFile: true);
            ExpectedWeights.Check(config, weights);
            if (!file.ContainsKey("tokenizer.ggml.model") || !file.ContainsKey("tokenizer.ggml.tokens"))
                throw new ModelFormatException($"{path}: the GGUF holds no tokenizer (looked for metadata tokenizer.ggml.model and tokenizer.ggml.tokens).");
            var tokenizer = TokenizerFactory.FromGguf(file);
            return new ModelBundle("gguf", path, config, weights, tokenizer, file.GetString("tokenizer.chat_template"));
        }
        catch
        {
            if (weights != null) weights.Dispose();
            else file.Dispose();
            throw;
        }
    }

    static ModelBundle OpenHuggingFace(string dir)
    {
        var configPath = System.IO.Path.Combine(dir, HfConfig.FileName);
        if (!File.Exists(configPath))
            throw new ModelFormatException($"{dir}: not a Hugging Face model folder: {HfConfig.FileName} is missing.");
        var config = HfConfig.Parse(configPath);
        if (!File.Exists(System.IO.Path.Combine(dir, "tokenizer.json")) && !File.Exists(System.IO.Path.Combine(dir, "tokenizer.model")))
            throw new ModelFormatException($"{dir}: no tokenizer found (looked for tokenizer.json and tokenizer.model).");
        if (!File.Exists(System.IO.Path.Combine(dir, SafetensorsWeightSource.SingleFileName)) && !File.Exists(System.IO.Path.Combine(dir, SafetensorsWeightSource.IndexFileName)))
            throw new ModelFormatException($"{dir}: no weights found (looked for {SafetensorsWeightSource.SingleFileName} and {SafetensorsWeightSource.IndexFileName}; other weight formats are not supported).");
        var weights = SafetensorsWeightSource.Open(dir);
        try
        {
            ExpectedWeights.Check(config, weights);
            var tokenizer = TokenizerFactory.FromHuggingFaceFolder(dir);
            return new ModelBundle("hf", dir, config, weights, tokenizer, HfGenerationInfo.Read(dir).ChatTemplate);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    static ModelBundle OpenLlama2c(string path, string? tokenizerPath)
    {
        var tokenizerFile = tokenizerPath ?? FindLlama2cTokenizer(path);
        if (!File.Exists(tokenizerFile))
            throw new ModelFormatException($"{path}: tokenizer {tokenizerFile} not found.");
        var checkpoint = Llama2cCheckpoint.Open(path);
        try
        {
            var tokenizer = TokenizerFactory.FromLlama2c(tokenizerFile);
            if (tokenizer.VocabSize != checkpoint.Config.VocabSize)
                throw new ModelFormatException($"{path}: the tokenizer {tokenizerFile} has {tokenizer.VocabSize} tokens, the model {checkpoint.Config.VocabSize}.");
            return new ModelBundle("llama2c", path, checkpoint.Config, checkpoint, tokenizer, null);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    static string FindLlama2cTokenizer(string modelPath)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(modelPath))!;
        var model = System.IO.Path.GetFullPath(modelPath);
        var candidates = new[] { System.IO.Path.Combine(dir, "tokenizer.bin") }
            .Concat(Directory.EnumerateFiles(dir, "tok*.bin").OrderBy(f => f, StringComparer.Ordinal))
            .Where(f => File.Exists(f) && System.IO.Path.GetFullPath(f) != model);
        return candidates.FirstOrDefault()
               ?? throw new ModelFormatException($"{modelPath}: no llama2.c tokenizer found (looked for tokenizer.bin and tok*.bin in {dir}); pass the tokenizer path.");
    }
}
