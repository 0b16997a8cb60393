package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.HotplugException;

/**
 * Looks at the root start tag of a domain XML only: whether {@code <domain … id='N'>} carries an
 * {@code id}. libvirt writes it into the live XML of a running (or paused) domain and never into a
 * shut-off one's, so the live XML an operation reads anyway also answers "is it running" without
 * another libvirt round trip. Everything else of the document is read by hotplug-xml's parser.
 */
public final class RootTag {

  private RootTag() {}

  /**
   * Whether the root element has an {@code id} attribute.
   *
   * @param xml a domain XML as libvirt returns it
   * @return true if {@code <domain ... id='N'>}
   * @throws HotplugException if there is no root element or a DOCTYPE precedes it
   */
  public static boolean hasId(String xml) {
    int i = xml.indexOf('<');
    while (i >= 0 && i < xml.length() - 1) {
      char c = xml.charAt(i + 1);
      if (c == '?') {
        i = after(xml, "?>", i + 2);
      } else if (c == '!') {
        if (!xml.startsWith("<!--", i)) {
          throw new HotplugException("the domain XML libvirt returned contains a DOCTYPE or declaration, which"
              + " libvirt never writes: refusing to read it");
        }
        i = after(xml, "-->", i + 4);
      } else {
        int nameEnd = i + 1;
        while (nameEnd < xml.length() && !isEnd(xml.charAt(nameEnd))) {
          nameEnd++;
        }
        return hasAttribute(xml, nameEnd, tagEnd(xml, nameEnd), "id");
      }
      i = xml.indexOf('<', i);
    }
    throw truncated();
  }

  private static boolean isEnd(char c) {
    return c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r';
  }

  /** Index of the {@code >} closing a start tag, skipping quoted attribute values. */
  private static int tagEnd(String xml, int from) {
    char quote = 0;
    for (int k = from; k < xml.length(); k++) {
      char c = xml.charAt(k);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '>') {
        return k;
      }
    }
    throw truncated();
  }

  /** Whether the start tag between {@code from} and {@code to} has the attribute. */
  private static boolean hasAttribute(String xml, int from, int to, String name) {
    int k = from;
    while (k < to) {
      while (k < to && Character.isWhitespace(xml.charAt(k))) {
        k++;
      }
      int nameStart = k;
      while (k < to && xml.charAt(k) != '=' && !Character.isWhitespace(xml.charAt(k)) && xml.charAt(k) != '/') {
        k++;
      }
      String attr = xml.substring(nameStart, k);
      while (k < to && Character.isWhitespace(xml.charAt(k))) {
        k++;
      }
      if (k >= to || xml.charAt(k) != '=') {
        k++;
        continue;
      }
      k++;
      while (k < to && Character.isWhitespace(xml.charAt(k))) {
        k++;
      }
      if (k >= to) {
        break;
      }
      char q = xml.charAt(k);
      int valueEnd = xml.indexOf(q, k + 1);
      if (valueEnd < 0 || valueEnd > to) {
        throw truncated();
      }
      if (attr.equals(name)) {
        return true;
      }
      k = valueEnd + 1;
    }
    return false;
  }

  private static int after(String xml, String end, int from) {
    int k = xml.indexOf(end, from);
    if (k < 0) {
      throw truncated();
    }
    return k + end.length();
  }

  private static HotplugException truncated() {
    return new HotplugException("the domain XML libvirt returned is truncated or malformed: it has no root element");
  }
}
