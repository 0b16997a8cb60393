package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.HotplugException;
import java.io.StringReader;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads {@code <domain><vcpu current='C'>M</vcpu>} from a domain XML with a streaming parser
 * that stops at the element (DTDs and external entities refused). Used on every vCPU read and
 * every verification poll, where parsing the whole document would be wasted work; edits of the
 * document go through hotplug-xml's {@code DomainXml}.
 */
public final class VcpuXml {
  private static final ThreadLocal<XMLInputFactory> FACTORY = ThreadLocal.withInitial(() -> {
    XMLInputFactory f = XMLInputFactory.newInstance();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
    return f;
  });

  private VcpuXml() {}

  /**
   * Reads the vCPU maximum and current count.
   *
   * @param xml a domain XML as libvirt returns it
   * @return {@code {maximum, current}}; current is the maximum when the attribute is absent
   * @throws HotplugException if the XML has no readable {@code <vcpu>} element
   */
  public static int[] read(String xml) {
    XMLStreamReader r = null;
    try {
      r = FACTORY.get().createXMLStreamReader(new StringReader(xml));
      int depth = 0;
      while (r.hasNext()) {
        int ev = r.next();
        if (ev == XMLStreamConstants.DTD) {
          throw new HotplugException("domain XML contains a DOCTYPE, which libvirt never writes: refusing to read it");
        }
        if (ev == XMLStreamConstants.START_ELEMENT) {
          depth++;
          if (depth == 2 && "vcpu".equals(r.getLocalName())) {
            String current = r.getAttributeValue(null, "current");
            int max = parse(r.getElementText().trim(), "<vcpu>");
            int cur = current == null ? max : parse(current.trim(), "<vcpu current>");
            return new int[] {max, cur};
          }
        } else if (ev == XMLStreamConstants.END_ELEMENT) {
          depth--;
        }
      }
    } catch (XMLStreamException e) {
      throw new HotplugException("cannot read <vcpu> from the domain XML libvirt returned: " + e.getMessage(), e);
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException ignored) {
          // nothing held
        }
      }
    }
    throw new HotplugException("the domain XML libvirt returned has no <vcpu> element; libvirt always writes one:"
        + " check the connection and libvirt version");
  }

  private static int parse(String s, String where) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new HotplugException("domain XML " + where + " is not a number: '" + s + "'", e);
    }
  }
}
