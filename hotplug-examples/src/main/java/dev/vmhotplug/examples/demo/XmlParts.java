package dev.vmhotplug.examples.demo;

import dev.vmhotplug.xml.DomainXml;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Cuts the hotplug-relevant parts out of a domain XML for display (not for editing). */
final class XmlParts {
  private static final Pattern[] PARTS = {
    Pattern.compile("<maxMemory\\b[^>]*>[^<]*</maxMemory>"),
    Pattern.compile("<memory\\b(?![^>]*model=)[^>]*>[^<]*</memory>"),
    Pattern.compile("<currentMemory\\b[^>]*>[^<]*</currentMemory>"),
    Pattern.compile("<vcpu\\b[^>]*>[^<]*</vcpu>"),
    Pattern.compile("<numa>.*?</numa>", Pattern.DOTALL),
  };

  private XmlParts() {}

  /** The {@code <maxMemory>}, {@code <memory>}, {@code <currentMemory>}, {@code <vcpu>}, {@code <numa>} parts. */
  static String of(String domainXml) {
    DomainXml.parse(domainXml); // refuse anything that is not a domain before showing it
    List<String> out = new ArrayList<>();
    for (Pattern p : PARTS) {
      Matcher m = p.matcher(domainXml);
      if (m.find()) {
        String[] lines = m.group().split("\n");
        StringBuilder b = new StringBuilder(lines[0].trim());
        for (int i = 1; i < lines.length; i++) {
          String line = lines[i].trim();
          b.append('\n').append(i == lines.length - 1 && line.startsWith("</") ? "" : "  ").append(line);
        }
        out.add(b.toString());
      }
    }
    return String.join("\n", out);
  }
}
