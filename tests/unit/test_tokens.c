/* SPDX-License-Identifier: MIT */
/* Token estimator (llm/tokens.h): exact counts for small pieces, the ratio to
 * bytes for prose, code and JSON (never below Claude's average of about 3.5
 * bytes a token for English), and request bodies with images, PDFs and tools. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "llm/tokens.h"

static size_t
t(const char *s)
{
	return llm_tokens_text(s, strlen(s));
}

static cJSON *
parse(const char *text)
{
	cJSON *v = NULL;

	cr_assert_eq(json_parse(&v, text, strlen(text), "test"), 0, "%s", text);
	return v;
}

Test(tokens, pieces)
{
	cr_assert_eq(t(""), 0);
	cr_assert_eq(llm_tokens_text(NULL, 0), 0);
	cr_assert_eq(t("a"), 1);
	cr_assert_eq(t("word"), 1);
	cr_assert_eq(t("hello"), 2);
	/* the space before a word joins it; other spacing counts */
	cr_assert_eq(t("hello world"), 4);
	cr_assert_eq(t("a  b"), 3);
	cr_assert_eq(t("\n\n"), 2);
	cr_assert_eq(t("12345"), 2);
	cr_assert_eq(t("x=1;"), 4);
	/* CJK: a token a character; above U+FFFF two */
	cr_assert_eq(t("日本語"), 3);
	cr_assert_eq(t("\xF0\x9F\x98\x80"), 2);
	/* an invalid byte is a byte token */
	cr_assert_eq(t("\xff\xfe"), 2);
	/* the length is honoured, NULs included */
	cr_assert_eq(llm_tokens_text("ab\0cd", 5), 3);
}

/* Claude averages about 3.5 bytes a token on English, less on code and
 * JSON: the estimate must not fall below that, nor be wildly above. */
Test(tokens, errs_high_not_wild)
{
	static const char *const prose =
	        "The agent reads the notes of the week, drafts a report and writes it to "
	        "report.md. Every change it makes is checkpointed, so each step can be "
	        "reviewed as a diff and undone, down to the byte, without touching the "
	        "folder's own repository. Spending is capped: a request that could cross "
	        "the cap is never sent.";
	static const char *const code =
	        "static int\nrun_len(const char *s, size_t len, size_t i)\n{\n"
	        "\tsize_t j = i;\n\n\twhile (j < len && isalpha((unsigned char)s[j]))\n"
	        "\t\tj++;\n\treturn (int)(j - i);\n}\n";
	static const char *const json =
	        "{\"type\":\"tool_use\",\"id\":\"toolu_01A09q90qw90lq917835lq9\","
	        "\"name\":\"write_file\",\"input\":{\"path\":\"a.txt\",\"content\":\"a\\n\"}}";
	const char *const all[] = { prose, code, json };

	for (size_t i = 0; i < 3; i++) {
		double len = (double)strlen(all[i]), n = (double)t(all[i]);

		cr_assert_geq(n, len / 3.5, "sample %zu: %g tokens for %g bytes", i, n, len);
		cr_assert_leq(n, len / 1.5, "sample %zu: %g tokens for %g bytes", i, n, len);
	}
}

Test(tokens, body_counts_text_keys_and_tools)
{
	cr_assert_eq(llm_tokens_estimate(NULL), 0);
	cJSON *plain = parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
	/* messages(2) role(1) user(1) content(2) hello(2) */
	cr_assert_eq(llm_tokens_estimate(plain), 8);

	cJSON *more = parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"},"
	                    "{\"role\":\"assistant\",\"content\":\"hi there\"}]}");
	cr_assert_gt(llm_tokens_estimate(more), llm_tokens_estimate(plain));

	cJSON *tools = parse("{\"tools\":[{\"name\":\"read_file\",\"input_schema\":"
	                     "{\"type\":\"object\"}}],\"messages\":[]}");
	size_t nt = llm_tokens_estimate(tools);
	cr_assert_gt(nt, LLM_TOKENS_TOOL_PREAMBLE);
	cr_assert_lt(nt, LLM_TOKENS_TOOL_PREAMBLE + 30);

	cJSON *notools = parse("{\"tools\":[],\"messages\":[]}");
	cr_assert_lt(llm_tokens_estimate(notools), 10);

	/* numbers count by their digits */
	cJSON *num = parse("[8192, 0.5, true, null]");
	cr_assert_eq(llm_tokens_estimate(num), 2 + 3 + 1 + 1);
	cJSON_Delete(plain);
	cJSON_Delete(more);
	cJSON_Delete(tools);
	cJSON_Delete(notools);
	cJSON_Delete(num);
}

Test(tokens, images_count_whole_whatever_their_bytes)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
	               "\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"");
	for (int i = 0; i < 100000; i++)
		buf_add(&b, "QUJD", 4);
	buf_printf(&b, "\"}}]}]}");
	cJSON *big = parse(buf_cstr(&b));
	size_t n = llm_tokens_estimate(big);

	cr_assert_geq(n, LLM_TOKENS_IMAGE);
	cr_assert_lt(n, LLM_TOKENS_IMAGE + 20, "%zu: the base64 data counted as text", n);

	cJSON *oai = parse("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
	                   "\"image_url\":{\"url\":\"data:image/png;base64,QUJD\"}}]}]}");
	cr_assert_geq(llm_tokens_estimate(oai), LLM_TOKENS_IMAGE);
	cJSON_Delete(big);
	cJSON_Delete(oai);
	buf_fini(&b);
}

static cJSON *
pdf_body(const char *pdf, size_t len)
{
	struct buf b64 = BUF_INIT, b = BUF_INIT;

	buf_add_base64(&b64, pdf, len);
	buf_printf(&b, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\","
	               "\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\","
	               "\"data\":\"%s\"},\"title\":\"notes\"}]}]}",
	           buf_cstr(&b64));
	cJSON *v = parse(buf_cstr(&b));

	buf_fini(&b64);
	buf_fini(&b);
	return v;
}

Test(tokens, pdf_pages)
{
	static const char pdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
	                          "2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n"
	                          "3 0 obj << /Type /Page /Parent 2 0 R >> endobj\n"
	                          "4 0 obj <</Type/Page/Parent 2 0 R>> endobj\n%%EOF\n";
	cJSON *two = pdf_body(pdf, sizeof pdf - 1);
	size_t n = llm_tokens_estimate(two);

	/* two pages, the title, and the few tokens of the message around it */
	cr_assert_geq(n, 2 * LLM_TOKENS_PDF_PAGE);
	cr_assert_lt(n, 2 * LLM_TOKENS_PDF_PAGE + 30, "%zu", n);

	/* pages in compressed object streams: assumed from the size, at least one */
	static const char hidden[] = "%PDF-1.5\n1 0 obj << /Type /ObjStm /N 3 >> stream\nxx\n";
	cJSON *one = pdf_body(hidden, sizeof hidden - 1);
	n = llm_tokens_estimate(one);
	cr_assert_geq(n, LLM_TOKENS_PDF_PAGE);
	cr_assert_lt(n, 2 * LLM_TOKENS_PDF_PAGE);
	cJSON_Delete(two);
	cJSON_Delete(one);
}
