package dev.pulse.slo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The fields of one YAML mapping, read by name with their place in the file: each accessor records
 * a problem (at the value's line and column) instead of throwing, and returns null, so one pass
 * reports everything wrong with a file. {@link #rejectUnknown} reports the fields nobody asked for.
 */
final class YamlFields {

  private final String file;
  private final String path;
  private final Node node;
  private final List<SloProblem> problems;
  private final Map<String, Node> values = new LinkedHashMap<>();
  private final Map<String, Node> keys = new LinkedHashMap<>();
  private final List<String> asked = new ArrayList<>();

  private YamlFields(String file, String path, Node node, List<SloProblem> problems) {
    this.file = file;
    this.path = path;
    this.node = node;
    this.problems = problems;
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k) {
          Node first = keys.putIfAbsent(k.getValue(), k);
          if (first == null) {
            values.put(k.getValue(), t.getValueNode());
          } else {
            // Ambiguous, not "the last one wins" (YAML forbids it; SnakeYAML's node graph keeps
            // both).
            problem(
                k,
                at(k.getValue())
                    + " is given twice (first on line "
                    + (first.getStartMark().getLine() + 1)
                    + ")");
          }
        } else {
          problem(t.getKeyNode(), "a key must be a plain string");
        }
      }
    }
  }

  /**
   * The fields of {@code node}, which must be a mapping (a problem otherwise: no fields). {@code
   * path} names it in messages ({@code spec.objectives[0]}); empty for a document.
   */
  static YamlFields of(String file, String path, Node node, List<SloProblem> problems) {
    YamlFields f = new YamlFields(file, path, node, problems);
    if (!f.isMapping()) {
      f.problem(
          node, (path.isEmpty() ? "a document" : path) + " must be a mapping (key: value lines)");
    }
    return f;
  }

  boolean isMapping() {
    return node instanceof MappingNode;
  }

  /** The path of field {@code key} of this mapping. */
  private String at(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  String path() {
    return path;
  }

  Node node() {
    return node;
  }

  void problem(Node at, String message) {
    problems.add(
        new SloProblem(
            file, at.getStartMark().getLine() + 1, at.getStartMark().getColumn() + 1, message));
  }

  boolean has(String key) {
    asked.add(key);
    return values.containsKey(key);
  }

  /** The raw value of {@code key}, or null (a problem when {@code required}). */
  Node value(String key, boolean required) {
    asked.add(key);
    Node v = values.get(key);
    if (v == null && required) {
      problem(node, at(key) + " is missing");
    }
    return v;
  }

  /** A string value (a problem when it is not a plain scalar). */
  String string(String key, boolean required) {
    Node v = value(key, required);
    if (v == null) {
      return null;
    }
    if (!(v instanceof ScalarNode s) || s.getValue().isEmpty()) {
      problem(v, at(key) + " must be a non-empty string");
      return null;
    }
    return s.getValue();
  }

  /** A number value, or null (a problem when it is not a finite number). */
  Double number(String key, boolean required) {
    String text = string(key, required);
    if (text == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(text);
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(values.get(key), at(key) + " must be a number, got '" + text + "'");
    return null;
  }

  /** A boolean value (true/false), or null. */
  Boolean bool(String key, boolean required) {
    String text = string(key, required);
    if (text == null) {
      return null;
    }
    if (text.equals("true") || text.equals("false")) {
      return Boolean.valueOf(text);
    }
    problem(values.get(key), at(key) + " must be true or false, got '" + text + "'");
    return null;
  }

  /** The fields of a nested mapping, or null. */
  YamlFields mapping(String key, boolean required) {
    Node v = value(key, required);
    return v == null ? null : of(file, at(key), v, problems);
  }

  /** The items of a sequence value, or null. */
  List<Node> sequence(String key, boolean required) {
    Node v = value(key, required);
    if (v == null) {
      return null;
    }
    if (!(v instanceof SequenceNode s)) {
      problem(v, at(key) + " must be a list (lines starting with '- ')");
      return null;
    }
    return s.getValue();
  }

  /** The fields of a sequence item. */
  YamlFields item(String key, int index, Node item) {
    return of(file, at(key) + "[" + index + "]", item, problems);
  }

  /** Reports every field that no accessor asked for: a typo must not pass silently. */
  void rejectUnknown() {
    for (Map.Entry<String, Node> k : keys.entrySet()) {
      if (!asked.contains(k.getKey())) {
        problem(
            k.getValue(),
            at(k.getKey())
                + " is not a field Pulse reads here"
                + (asked.isEmpty()
                    ? ""
                    : " (it reads: " + String.join(", ", distinct(asked)) + ")"));
      }
    }
  }

  private static List<String> distinct(List<String> names) {
    return names.stream().distinct().toList();
  }
}
