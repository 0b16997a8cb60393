/**
 * Typed parts of libvirt domain XML (JAXB-bound: vCPUs, memory, NUMA cells, memory devices), a
 * lossless editor for whole domain documents, and hotplug preparation of a domain definition.
 *
 * <p>Exports the API package {@code dev.vmhotplug.xml} only. Its JAXB-bound classes are opened to
 * Jakarta XML Binding (the API module hands the access on to the implementation it finds) and to the
 * GlassFish runtime, which hotplug-xml instantiates directly when the application has not chosen
 * another implementation. The implementation package {@code dev.vmhotplug.xml.internal} is exported
 * to {@code dev.vmhotplug.core} alone (it is not API); hotplug-core is built after this module, hence
 * the suppressed "module not found" warning.
 */
@SuppressWarnings("module")
module dev.vmhotplug.xml {
  requires transitive jakarta.xml.bind;
  requires transitive java.xml;
  requires org.glassfish.jaxb.runtime;

  exports dev.vmhotplug.xml;
  exports dev.vmhotplug.xml.internal to dev.vmhotplug.core;

  opens dev.vmhotplug.xml to jakarta.xml.bind, org.glassfish.jaxb.runtime;
}
