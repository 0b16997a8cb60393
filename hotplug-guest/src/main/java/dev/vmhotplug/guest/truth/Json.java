package dev.vmhotplug.guest.truth;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader (RFC 8259) for guest agent replies: objects become {@code Map}s,
 * arrays {@code List}s, numbers {@code BigDecimal}, plus {@code String}, {@code Boolean} and
 * {@link #NULL}. Nesting is limited to {@value #MAX_DEPTH} levels. Package-private: no JSON
 * library in this module.
 */
final class Json {

  /** The JSON null. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  static final int MAX_DEPTH = 64;

  private final String s;
  private final String what;
  private int pos;

  private Json(String s, String what) {
    this.s = s;
    this.what = what;
  }

  /** Parses one JSON value that fills the whole text (surrounding whitespace allowed). */
  static Object parse(String text, String what) {
    GuestText.requireContent(text, what);
    Json j = new Json(text, what);
    j.ws();
    Object v = j.value(0);
    j.ws();
    if (j.pos != j.s.length()) {
      throw j.error("unexpected text after the JSON value");
    }
    return v;
  }

  private GuestDataException error(String problem) {
    String near = s.substring(Math.max(0, pos - 20), Math.min(s.length(), pos + 20))
        .replace('\n', ' ').replace('\r', ' ');
    return new GuestDataException(what + " is not valid JSON: " + problem + " at offset " + pos
        + " (near '" + near + "')");
  }

  private void ws() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else {
        break;
      }
    }
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
    if (pos >= s.length()) {
      throw error("the text ends where a value should start (truncated?)");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", NULL);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + c + "'");
    }
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, pos)) {
      throw error("expected " + word);
    }
    pos += word.length();
    return v;
  }

  private Map<String, Object> object(int depth) {
    pos++;
    Map<String, Object> m = new LinkedHashMap<>();
    ws();
    if (pos < s.length() && s.charAt(pos) == '}') {
      pos++;
      return Collections.unmodifiableMap(m);
    }
    while (true) {
      ws();
      if (pos >= s.length() || s.charAt(pos) != '"') {
        throw error(pos >= s.length() ? "the text ends inside an object (truncated?)"
            : "expected a quoted member name");
      }
      String key = string();
      ws();
      expect(':');
      ws();
      if (m.put(key, value(depth + 1)) != null) {
        throw error("duplicate member \"" + key + "\"");
      }
      ws();
      if (pos >= s.length()) {
        throw error("the text ends inside an object (truncated?)");
      }
      char c = s.charAt(pos++);
      if (c == '}') {
        return Collections.unmodifiableMap(m);
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) {
    pos++;
    List<Object> l = new ArrayList<>();
    ws();
    if (pos < s.length() && s.charAt(pos) == ']') {
      pos++;
      return Collections.unmodifiableList(l);
    }
    while (true) {
      ws();
      l.add(value(depth + 1));
      ws();
      if (pos >= s.length()) {
        throw error("the text ends inside an array (truncated?)");
      }
      char c = s.charAt(pos++);
      if (c == ']') {
        return Collections.unmodifiableList(l);
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']'");
      }
    }
  }

  private void expect(char c) {
    if (pos >= s.length()) {
      throw error("the text ends where '" + c + "' should be (truncated?)");
    }
    if (s.charAt(pos) != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private String string() {
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error("the text ends inside a string (truncated?)");
      }
      char c = s.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        pos--;
        throw error("control character inside a string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= s.length()) {
        throw error("the text ends inside a string (truncated?)");
      }
      char e = s.charAt(pos++);
      switch (e) {
        case '"': sb.append('"'); break;
        case '\\': sb.append('\\'); break;
        case '/': sb.append('/'); break;
        case 'b': sb.append('\b'); break;
        case 'f': sb.append('\f'); break;
        case 'n': sb.append('\n'); break;
        case 'r': sb.append('\r'); break;
        case 't': sb.append('\t'); break;
        case 'u':
          if (pos + 4 > s.length()) {
            throw error("the text ends inside a \\u escape (truncated?)");
          }
          int cp = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos++), 16);
            if (d < 0) {
              throw error("bad \\u escape");
            }
            cp = cp * 16 + d;
          }
          sb.append((char) cp);
          break;
        default:
          pos--;
          throw error("bad escape '\\" + e + "'");
      }
    }
  }

  private BigDecimal number() {
    int start = pos;
    if (s.charAt(pos) == '-') {
      pos++;
    }
    int digits = digits();
    if (digits == 0) {
      throw error("a number needs digits");
    }
    if (digits > 1 && s.charAt(start + (s.charAt(start) == '-' ? 1 : 0)) == '0') {
      throw error("a number must not start with 0");
    }
    if (pos < s.length() && s.charAt(pos) == '.') {
      pos++;
      if (digits() == 0) {
        throw error("a fraction needs digits");
      }
    }
    if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
      pos++;
      if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
        pos++;
      }
      if (digits() == 0) {
        throw error("an exponent needs digits");
      }
    }
    if (pos - start > 40) {
      throw error("a number longer than 40 characters");
    }
    return new BigDecimal(s.substring(start, pos));
  }

  private int digits() {
    int n = 0;
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
      n++;
    }
    return n;
  }
}
