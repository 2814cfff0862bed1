package org.electrolab.protocol.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * What electrolab's YAML files share: strict reading with a one-line message for bad YAML (all of
 * them), and field checks that collect every mistake of one file, each as one line
 * "SOURCE: FIELD: PROBLEM" (scenario and matrix files). After a mistake a check returns a
 * placeholder, so checking goes on and the user sees all mistakes at once.
 */
public final class YamlFields {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

    private final String source;
    private final List<String> problems = new ArrayList<>();

    /** Checks for the file {@code source} names in messages (usually its path). */
    public YamlFields(String source) {
        this.source = source;
    }

    /** Keys in the order messages list them, from alternating key and example arguments. */
    public static SequencedMap<String, String> keys(String... keyThenExample) {
        if (keyThenExample.length % 2 != 0) throw new IllegalArgumentException("a key without an example");
        SequencedMap<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < keyThenExample.length; i += 2) keys.put(keyThenExample[i], keyThenExample[i + 1]);
        return keys;
    }

    /** YAML text as a tree; {@code source} names it in the message when it is not YAML. */
    public static JsonNode read(String yaml, String source) throws ConfigException {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        // A key given twice is a mistake we report, not one we let the last occurrence win.
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        try {
            return mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            String line = where != null && where.getLineNr() > 0 ? " line " + where.getLineNr() : "";
            throw new ConfigException(source + line + ": bad YAML: " + oneLine(e.getOriginalMessage())
                    + "; fix the YAML there");
        }
    }

    /**
     * A parser message as one line. SnakeYAML writes "context / mark / snippet / problem / mark /
     * snippet" over several lines; the line number is reported separately, so keep the context and
     * the problem.
     */
    static String oneLine(String message) {
        List<String> said = message.lines()
                .filter(l -> !l.isBlank() && !l.startsWith(" in ") && !l.startsWith("    ") && !l.strip().equals("^"))
                .map(String::strip).toList();
        if (said.isEmpty()) return "unreadable";
        if (said.size() == 1) return said.getFirst();
        return said.getLast() + " (" + said.getFirst() + ")";
    }

    /**
     * The file's top-level mapping. {@code keys} are all the keys it may hold, each with the example
     * shown when it is missing; a key whose example is empty is optional. Unknown and missing keys are
     * problems. Returns null when the text is not YAML or not a mapping: then nothing else can be checked.
     */
    public JsonNode mapping(String yaml, SequencedMap<String, String> keys, String exampleFile) {
        List<String> required = keys.keySet().stream().filter(k -> !keys.get(k).isEmpty()).toList();
        JsonNode root;
        try {
            root = read(yaml, source);
        } catch (ConfigException e) {
            problems.add(e.getMessage());
            return null;
        }
        if (root == null || !root.isObject()) {
            problems.add(source + ": must be a mapping with the keys " + String.join(", ", required) + "; see " + exampleFile);
            return null;
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String key = names.next();
            if (!keys.containsKey(key)) add(key, "unknown key; the keys are " + String.join(", ", keys.sequencedKeySet()));
        }
        for (String key : required) {
            if (!root.has(key)) add(key, "missing; add e.g. " + keys.get(key));
        }
        return root;
    }

    public void add(String field, String problem) {
        problems.add(source + ": " + field + ": " + problem);
    }

    /** Every mistake found so far, in the order found. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** An integer in {@code min..max}; {@code what} says what it counts, with an example. 0 after a mistake. */
    public long integer(JsonNode node, String field, long min, long max, String what) {
        if (!node.isIntegralNumber()) {
            add(field, "'" + node.asText() + "' is not an integer; use " + what);
            return 0;
        }
        BigInteger value = node.bigIntegerValue();
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            add(field, value + " is out of range " + min + ".." + max + "; use " + what);
            return 0;
        }
        return value.longValue();
    }

    /** A whole number with ms, s, m or h, e.g. {@code example}. Zero after a mistake. */
    public Duration duration(JsonNode node, String field, boolean zeroAllowed, String example) {
        Matcher m = DURATION.matcher(node.isTextual() ? node.asText().strip() : "");
        if (!m.matches()) {
            add(field, "'" + node.asText() + "' is not a duration; write a whole number with ms, s, m or h, e.g. " + example);
            return Duration.ZERO;
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (!zeroAllowed && duration.isZero()) add(field, "must be longer than 0; e.g. " + example);
        return duration;
    }

    /** One of {@link ClusterConfig#APPS}, under the key {@code app}. */
    public String app(JsonNode node) {
        // YAML reads a bare `null` as the null value, which here names the null app.
        String app = node.isNull() ? "null" : node.isTextual() ? node.asText() : "";
        if (!ClusterConfig.APPS.contains(app)) {
            add("app", "'" + node.asText() + "' is not an app; use " + String.join(" or ", ClusterConfig.APPS));
        }
        return app;
    }

    /** The items of a non-empty list, e.g. {@code example}; none after a mistake. */
    public List<JsonNode> list(JsonNode node, String field, String example) {
        if (!node.isArray() || node.isEmpty()) {
            add(field, "must be a non-empty list, e.g. " + example);
            return List.of();
        }
        List<JsonNode> items = new ArrayList<>();
        node.forEach(items::add);
        return items;
    }
}
