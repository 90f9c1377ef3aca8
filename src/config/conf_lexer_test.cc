#include "config/conf_lexer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace masqd::config {
namespace {

// Lexes one line that must produce an option.
ConfLine lex(std::string_view s) {
  auto r = lex_conf_line(s);
  EXPECT_TRUE(r.ok()) << s;
  if (!r.ok() || !r->has_value()) {
    ADD_FAILURE() << "no option in: " << s;
    return {};
  }
  return **r;
}

TEST(ConfLexer, NameAndValue) {
  auto l = lex("port=53\n");
  EXPECT_EQ(l.name, "port");
  ASSERT_TRUE(l.arg);
  EXPECT_EQ(l.arg->text(), "53");
}

TEST(ConfLexer, SpacesAroundEqualsAndEnds) {
  auto l = lex("  port \t=\t 53  \r\n");
  EXPECT_EQ(l.name, "port");
  EXPECT_EQ(l.arg->text(), "53");
}

TEST(ConfLexer, NoEqualsMeansNoValue) {
  auto l = lex("no-daemon\n");
  EXPECT_EQ(l.name, "no-daemon");
  EXPECT_FALSE(l.arg);
}

TEST(ConfLexer, EmptyValueIsPresent) {
  auto l = lex("port=\n");
  ASSERT_TRUE(l.arg);
  EXPECT_TRUE(l.arg->empty());
  auto l2 = lex("port =  \n");
  ASSERT_TRUE(l2.arg);
  EXPECT_TRUE(l2.arg->empty());
}

TEST(ConfLexer, BlankAndCommentLines) {
  const std::string_view lines[] = {"\n", "   \t\n", "# comment\n", "   #port=1\n", "",
                                    std::string_view("\0port=1\n", 8)};
  for (std::string_view s : lines) {
    auto r = lex_conf_line(s);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value()) << s;
  }
}

TEST(ConfLexer, HashStartsCommentOnlyAfterWhitespace) {
  EXPECT_EQ(lex("server=1.2.3.4#5353\n").arg->text(), "1.2.3.4#5353");
  EXPECT_EQ(lex("port=53 # note\n").arg->text(), "53");
  EXPECT_EQ(lex("port=53\t#\n").arg->text(), "53");
  EXPECT_EQ(lex("port=#5\n").arg->text(), "#5");
}

TEST(ConfLexer, InnerWhitespaceBecomesSpaces) {
  EXPECT_EQ(lex("txt-record=a\tb  c\n").arg->text(), "a b  c");
}

TEST(ConfLexer, QuotesMarkCharactersAndKeepSpaces) {
  auto l = lex("txt-record=x,\"a, b.c\",d\n");
  const OptArg& a = *l.arg;
  EXPECT_EQ(a.text(), "x,a, b.c,d");
  EXPECT_FALSE(a.quoted(1));  // the first ','
  EXPECT_TRUE(a.quoted(3));   // the quoted ','
  EXPECT_TRUE(a.quoted(4));   // the quoted ' '
  auto parts = a.split(',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].text(), "a, b.c");
}

TEST(ConfLexer, EscapesInsideQuotesOnly) {
  EXPECT_EQ(lex(R"(x="a\"b\\c\t\n\r\b\e")").arg->text(), "a\"b\\c\t\n\r\b\033");
  EXPECT_EQ(lex(R"(x="\5")").arg->text(), "\\5");  // unknown escape kept
  EXPECT_EQ(lex(R"(x=a\tb)").arg->text(), "a\\tb");  // outside quotes: literal
}

TEST(ConfLexer, UnterminatedQuote) {
  const std::string_view lines[] = {"txt-record=\"abc\n", "port=5\\\"\n", "x=\"a\\\"\n", "x=\"a\"\"\"\n"};
  for (std::string_view s : lines) {
    auto r = lex_conf_line(s);
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_EQ(r.error().message, "missing \"");
  }
}

TEST(ConfLexer, QuoteRightAfterClosingQuoteIsLiteral) {
  EXPECT_EQ(lex("port=\"5\"\"\n").arg->text(), "5\"");
}

TEST(ConfLexer, HashAfterClosingQuoteDependsOnWhatPrecededTheQuote) {
  EXPECT_EQ(lex("port=\"5\"#\n").arg->text(), "5#");  // no whitespace before the quote
  EXPECT_EQ(lex("port= \"5\"#\n").arg->text(), "5");  // whitespace before it: comment
}

TEST(ConfLexer, EqualsSignsAreStrippedFromTheNameEnd) {
  auto l = lex("port==53\n");
  EXPECT_EQ(l.name, "port");
  EXPECT_EQ(l.arg->text(), "=53");
  EXPECT_EQ(lex("user=a=b\n").arg->text(), "a=b");
  auto l2 = lex(" = \n");
  EXPECT_EQ(l2.name, "");
}

TEST(ConfLexer, QuotedNameCharactersThatDnsmasqHides) {
  EXPECT_FALSE(lex("p\"o\"rt=1\n").name_has_hidden);
  EXPECT_EQ(lex("p\"o\"rt=1\n").name, "port");
  EXPECT_TRUE(lex("c\"a\"che-size=5\n").name_has_hidden);
  EXPECT_TRUE(lex("\"port =\" 5\n").name_has_hidden);
}

TEST(ConfLexer, NulEndsTheLine) {
  auto l = lex(std::string_view("port=1\0garbage\n", 15));
  EXPECT_EQ(l.arg->text(), "1");
}

TEST(ConfLexer, ChunksAreAtMost1024Bytes) {
  std::string text = "#" + std::string(1999, 'x') + "\nport=1\n";
  size_t pos = 0;
  std::string_view chunk;
  std::vector<size_t> sizes;
  while (next_chunk(text, pos, chunk)) sizes.push_back(chunk.size());
  ASSERT_EQ(sizes.size(), 3u);
  EXPECT_EQ(sizes[0], 1024u);
  EXPECT_EQ(sizes[1], 2000u - 1024u + 1u);
  EXPECT_EQ(sizes[2], 7u);
}

TEST(ConfLexer, StreamChunksMatchTextChunks) {
  // Long lines (cut at kMaxConfChunk), blank lines, a NUL, no final newline, and enough
  // text to cross the reader's 64 KiB blocks at odd places.
  std::string text = std::string(3000, 'a') + "\n\nb\nc";
  text += std::string("x\0y\n", 4);
  for (int i = 0; i < 20000; ++i) text += "address=/n" + std::to_string(i) + ".test/\n";
  text += std::string(1500, 'z');
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::fwrite(text.data(), 1, text.size(), f);
  std::rewind(f);
  ChunkReader reader(f);
  size_t pos = 0, chunks = 0;
  std::string_view expected, got;
  while (next_chunk(text, pos, expected)) {
    ASSERT_TRUE(reader.next(got));
    ASSERT_EQ(got, expected) << "chunk " << chunks;
    ++chunks;
  }
  EXPECT_GT(chunks, 20000u);
  EXPECT_FALSE(reader.next(got));
  std::fclose(f);
}

}  // namespace
}  // namespace masqd::config
