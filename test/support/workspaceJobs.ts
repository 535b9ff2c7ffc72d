/**
 * The word count job's sources (test/flink WordCountJob) after an edit that dropped the counter's uid, as a user
 * might: what the pre-flight's in-host test and UI flow check a restore against.
 */
export const WORD_COUNT_WITHOUT_COUNTER_UID = [
  'class WordCount {',
  '  void build() {',
  '    lines = env.fromSource(src, wm, "Numbers").uid("numbers").map(new LineMaker()).uid("lines");',
  '    words = lines.flatMap(new Tokenizer()).uid("tokenizer");',
  '    stop = env.fromSource(src, wm, "Stop").uid("stop-word-feed").map(new StopWordMaker()).uid("stop-word-maker");',
  '    words.connect(stop).process(new StopWordFilter()).uid("stop-word-filter")',
  '        .keyBy(new WordKey())',
  '        .process(new Counter());',
  '  }',
  '}',
].join('\n');
