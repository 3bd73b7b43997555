namespace CoKv.Datasets;

/// <summary>
/// LongBench's prompt templates for its English datasets (config/dataset2prompt.json of THUDM/LongBench): kept
/// verbatim, since scores are only comparable with published ones under the same prompts.
/// </summary>
static class LongBenchPrompts
{
    const string MultiDoc =
        "Answer the question based on the given passages. Only give me the answer and do not output any other words.\n\n" +
        "The following are given passages.\n{context}\n\n" +
        "Answer the question based on the given passages. Only give me the answer and do not output any other words.\n\n" +
        "Question: {input}\nAnswer:";

    public static readonly IReadOnlyDictionary<string, string> Templates = new Dictionary<string, string>
    {
        ["narrativeqa"] =
            "You are given a story, which can be either a novel or a movie script, and a question. Answer the question as concisely as you can, using a single phrase if possible. Do not provide any explanation.\n\n" +
            "Story: {context}\n\n" +
            "Now, answer the question based on the story as concisely as you can, using a single phrase if possible. Do not provide any explanation.\n\n" +
            "Question: {input}\n\nAnswer:",
        ["qasper"] =
            "You are given a scientific article and a question. Answer the question as concisely as you can, using a single phrase or sentence if possible. If the question cannot be answered based on the information in the article, write \"unanswerable\". If the question is a yes/no question, answer \"yes\", \"no\", or \"unanswerable\". Do not provide any explanation.\n\n" +
            "Article: {context}\n\n" +
            " Answer the question based on the above article as concisely as you can, using a single phrase or sentence if possible. If the question cannot be answered based on the information in the article, write \"unanswerable\". If the question is a yes/no question, answer \"yes\", \"no\", or \"unanswerable\". Do not provide any explanation.\n\n" +
            "Question: {input}\n\nAnswer:",
        ["multifieldqa_en"] =
            "Read the following text and answer briefly.\n\n{context}\n\n" +
            "Now, answer the following question based on the above text, only give me the answer and do not output any other words.\n\n" +
            "Question: {input}\nAnswer:",
        ["hotpotqa"] = MultiDoc,
        ["2wikimqa"] = MultiDoc,
        ["musique"] = MultiDoc,
        ["gov_report"] =
            "You are given a report by a government agency. Write a one-page summary of the report.\n\n" +
            "Report:\n{context}\n\nNow, write a one-page summary of the report.\n\nSummary:",
        ["qmsum"] =
            "You are given a meeting transcript and a query containing a question or instruction. Answer the query in one or more sentences.\n\n" +
            "Transcript:\n{context}\n\n" +
            "Now, answer the query based on the above meeting transcript in one or more sentences.\n\nQuery: {input}\nAnswer:",
        ["multi_news"] =
            "You are given several news passages. Write a one-page summary of all news. \n\n" +
            "News:\n{context}\n\nNow, write a one-page summary of all the news.\n\nSummary:",
        ["trec"] = "Please determine the type of the question below. Here are some examples of questions.\n\n{context}\n{input}",
        ["triviaqa"] =
            "Answer the question based on the given passage. Only give me the answer and do not output any other words. The following are some examples.\n\n{context}\n\n{input}",
        ["samsum"] = "Summarize the dialogue into a few short sentences. The following are some examples.\n\n{context}\n\n{input}",
        ["passage_count"] =
            "There are some paragraphs below sourced from Wikipedia. Some of them may be duplicates. Please carefully read these paragraphs and determine how many unique paragraphs there are after removing duplicates. In other words, how many non-repeating paragraphs are there in total?\n\n" +
            "{context}\n\n" +
            "Please enter the final count of unique paragraphs after removing duplicates. The output format should only contain the number, such as 1, 2, 3, and so on.\n\nThe final answer is: ",
        ["passage_retrieval_en"] =
            "Here are 30 paragraphs from Wikipedia, along with an abstract. Please determine which paragraph the abstract is from.\n\n" +
            "{context}\n\nThe following is an abstract.\n\n{input}\n\n" +
            "Please enter the number of the paragraph that the abstract is from. The answer format must be like \"Paragraph 1\", \"Paragraph 2\", etc.\n\nThe answer is: ",
        ["lcc"] = "Please complete the code given below. \n{context}Next line of code:\n",
        ["repobench-p"] = "Please complete the code given below. \n{context}{input}Next line of code:\n",
    };
}
