package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.HotplugException;

/**
 * Reads {@code <domain><vcpu current='C'>M</vcpu>} from a domain XML as libvirt writes it, with a
 * small tag scanner that stops at that element. It runs on every vCPU read and every verification
 * poll, where a JDK parser costs more than libvirt's call itself (creating a StAX reader allocates
 * about 40 KB). It tracks element depth, so only the root's direct {@code <vcpu>} child counts (not
 * {@code <vcpus><vcpu id=…>} nor a {@code <vcpu>} in user metadata); it skips comments, CDATA and
 * processing instructions, respects quoted attribute values, refuses a DOCTYPE and expands no
 * entities. Editing a document goes through hotplug-xml's {@code DomainXml}.
 */
public final class VcpuXml {

  private VcpuXml() {}

  /**
   * Reads the vCPU maximum and current count.
   *
   * @param xml a domain XML as libvirt returns it
   * @return {@code {maximum, current}}; current is the maximum when the attribute is absent
   * @throws HotplugException if the XML has no readable {@code <vcpu>} element under the root
   */
  public static int[] read(String xml) {
    int depth = 0;
    int i = xml.indexOf('<');
    int n = xml.length();
    while (i >= 0 && i < n - 1) {
      char c = xml.charAt(i + 1);
      if (c == '!') {
        if (xml.startsWith("<!--", i)) {
          i = after(xml, "-->", i + 4);
        } else if (xml.startsWith("<![CDATA[", i)) {
          i = after(xml, "]]>", i + 9);
        } else {
          throw new HotplugException("domain XML contains a DOCTYPE or declaration, which libvirt never writes:"
              + " refusing to read it");
        }
      } else if (c == '?') {
        i = after(xml, "?>", i + 2);
      } else if (c == '/') {
        depth--;
        i = after(xml, ">", i + 2);
      } else {
        int nameEnd = i + 1;
        while (nameEnd < n && !isEnd(xml.charAt(nameEnd))) {
          nameEnd++;
        }
        int tagEnd = tagEnd(xml, nameEnd);
        boolean selfClosing = xml.charAt(tagEnd - 1) == '/';
        if (depth == 1 && nameEnd - i - 1 == 4 && xml.startsWith("vcpu", i + 1)) {
          String current = attribute(xml, nameEnd, tagEnd, "current");
          if (selfClosing) {
            throw new HotplugException("domain XML <vcpu/> has no count; libvirt always writes one");
          }
          int textEnd = xml.indexOf('<', tagEnd + 1);
          if (textEnd < 0) {
            throw truncated();
          }
          int max = parse(xml.substring(tagEnd + 1, textEnd).trim(), "<vcpu>");
          int cur = current == null ? max : parse(current.trim(), "<vcpu current>");
          return new int[] {max, cur};
        }
        if (!selfClosing) {
          depth++;
        }
        i = tagEnd + 1;
      }
      i = i < 0 ? -1 : xml.indexOf('<', i);
    }
    throw new HotplugException("the domain XML libvirt returned has no <vcpu> element; libvirt always writes one:"
        + " check the connection and libvirt version");
  }

  /**
   * Whether the root element has an {@code id} attribute: libvirt writes it in the live XML of a
   * running (or paused) domain only, so this tells a running domain from a shut-off one without
   * another call.
   *
   * @param xml a domain XML as libvirt returns it
   * @return true if {@code <domain ... id='N'>}
   * @throws HotplugException if there is no root element
   */
  public static boolean hasDomainId(String xml) {
    int i = xml.indexOf('<');
    while (i >= 0 && i < xml.length() - 1) {
      char c = xml.charAt(i + 1);
      if (c == '?') {
        i = after(xml, "?>", i + 2);
      } else if (c == '!') {
        if (!xml.startsWith("<!--", i)) {
          throw new HotplugException("domain XML contains a DOCTYPE or declaration, which libvirt never writes:"
              + " refusing to read it");
        }
        i = after(xml, "-->", i + 4);
      } else {
        int nameEnd = i + 1;
        while (nameEnd < xml.length() && !isEnd(xml.charAt(nameEnd))) {
          nameEnd++;
        }
        return attribute(xml, nameEnd, tagEnd(xml, nameEnd), "id") != null;
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

  /** The value of an attribute between {@code from} and {@code to} (a start tag), or null. */
  private static String attribute(String xml, int from, int to, String name) {
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
        return xml.substring(k + 1, valueEnd);
      }
      k = valueEnd + 1;
    }
    return null;
  }

  private static int after(String xml, String end, int from) {
    int k = xml.indexOf(end, from);
    if (k < 0) {
      throw truncated();
    }
    return k + end.length();
  }

  private static HotplugException truncated() {
    return new HotplugException("the domain XML libvirt returned is truncated or malformed: cannot read <vcpu>");
  }

  private static int parse(String s, String where) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new HotplugException("domain XML " + where + " is not a number: '" + s + "'", e);
    }
  }
}
