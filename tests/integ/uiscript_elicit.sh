# The workbench's form for a connector's elicitation (server-everything over
# Streamable HTTP): one row per field in the overlay with defaults filled
# (SEP-1034) and required fields marked; Esc declines; Enter with a required
# field empty names it and sends nothing; typed values, Tab to the next
# field and Down to toggle a boolean make the answer the server gets back.
# A url-mode request asks y/n in the input line.
# A long call's progress shows in its transcript line and Esc cancels it.
# Then :prompt (its name and its arguments' names completed by Tab) runs a
# prompt as the next task.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
. "$DH_TESTS/mcp/lib_everything.sh"
G=$T/work; mkdir -p "$G"
everything_start
everything_config every
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "ask"}]}}]},
 {"tool_calls": [{"name": "mcp__every__trigger-elicitation-request", "input": {}}]},
 {"expect": {"last_user_contains": "User declined to provide"},
  "tool_calls": [{"name": "mcp__every__trigger-elicitation-request", "input": {}}]},
 {"expect": {"last_user_contains": "- Name: Ada Lovelace"},
  "tool_calls": [{"name": "mcp__every__trigger-url-elicitation", "input": {"url": "https://example.org/login"}}]},
 {"expect": {"last_user_contains": "User completed the URL elicitation flow"},
  "tool_calls": [{"name": "mcp__every__trigger-long-running-operation", "input": {"duration": 60, "steps": 60}}]},
 {"expect": {"last_user_contains": "What's weather in Paris, Texas?"}, "text": "Sunny.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":type ask me
<Enter>
:wait approval
a
:wait text Allow mcp__every__trigger-elicitation-request
y
:wait text nothing is sent unless you press Enter
:save-screen $T/form.scr elements
<Esc>
:wait approval
y
:wait text nothing is sent unless you press Enter
<Enter>
:wait text ! name: required
:save-screen $T/required.scr
:type Ada Lovelace
<Tab>
<Down>
:save-screen $T/filled.scr
<Enter>
:wait approval
y
:wait text asks you to open https://example\.org/login
:save-screen $T/url.scr
y
:wait text progress [0-9]+/60
:save-screen $T/progress.scr
<Esc>
:wait text task interrupted\. i: type a follow-up task
:save-screen $T/end.scr
:type :prompt every/a
<Tab>
:wait text :prompt every/args-prompt
:type  c
<Tab>
:wait text :prompt every/args-prompt city=
:type Paris s
<Tab>
:wait text :prompt every/args-prompt city=Paris state=
:type Texas c
<Tab>
:save-screen $T/given.scr
<Backspace>
<Backspace>
<Enter>
:wait text Sunny\.
:save-screen $T/prompt.scr
:quit"
UI_TIMEOUT_MS=30000 ui_run 120 50 --grant "$G"
# The form: the server's message, each field with its default, required marked.
assert_screen form 'input for every  \(Enter sends, Esc declines\)' "The connector 'every' asks for input" \
  'Please provide inputs for the following fields' '› String\*: *$' 'Boolean: *$' \
  'String with default: It was a dark and stormy night\.' 'Integer: 42$' \
  'Untitled Single Select Enum: Monica$' 'Untitled Multiple Select Enum: Guitar$' \
  'Titled Single Select Enum: hero-1$' 'integer 1–100' 'one of Monica, Rachel' \
  'Enter: send +Esc: decline'
s=$(screen form)
[ "$(tail -1 <<<"$s" | sed 's/ *$//')" = "String* (text):" ] || fail "the input line: $(tail -1 <<<"$s")"
# Enter with the required name empty: refused, naming it, the form stays.
assert_screen required 'name: required' '› String\*: *$'
# Typed and toggled before sending.
assert_screen filled '  String\*: Ada Lovelace$' '› Boolean: yes$'
# What the server answered reached the model; the declined one first.
grep -q "User declined to provide the requested information" "$FAKE_LOG" || fail "the decline never reached the model"
req=$(grep -F "Ada Lovelace" "$FAKE_LOG" | tail -1)
assert_contains "$req" "- Agreed to terms: true"
assert_contains "$req" "- Favorite Integer: 42"
# url mode: the page and the question in the input line; y accepted it.
s=$(screen url)
tail -1 <<<"$s" | grep -qE "^Connector every asks you to open https://example\.org/login: y I opened it, n decline, Esc cancel · Please open the link" \
  || fail "the url question: $(tail -1 <<<"$s")"
# Progress in the call's line, then Esc cancelled it: the turn did not go on.
assert_screen progress 'progress [0-9]+/60' \
  '\? Connector every asks for input: Please provide inputs' 'input declined$' 'input given$' \
  '\? Connector every asks for input \(a page to open\): Please open the link'
assert_screen end 'interrupted'
[ "$(grep -c '"model"' "$FAKE_LOG")" = 6 ] || fail "the cancelled call's turn went on: $(grep -c '"model"' "$FAKE_LOG") requests"
# :prompt (Tab completed its name, then each argument's name, the given
# one not offered again) ran the connector's prompt as the next task.
assert_screen given ':prompt every/args-prompt city=Paris state=Texas c *$'
assert_screen prompt "^❯ What's weather in Paris, Texas\?" 'Sunny\.'
grep -q "What's weather in Paris, Texas?" "$FAKE_LOG" || fail "the prompt's text never reached the model"
echo ok
