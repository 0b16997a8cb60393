import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * The floor under the CLI's start-up (docs/benchmarks.md, "CLI start-up"): what `hotplug vcpucount`
 * needs from libvirt-java alone, with none of the SDK and no picocli: connect, look the domain up,
 * read its live and inactive XML, close. Built and timed by scripts/cli-floor.sh.
 */
public final class LibvirtJavaFloor {
  public static void main(String[] args) throws Exception {
    String uri = args.length > 0 ? args[0] : "test:///default";
    String name = args.length > 1 ? args[1] : "test";
    Connect c = new Connect(uri);
    Domain d = c.domainLookupByName(name);
    String live = d.getXMLDesc(0);
    String inactive = d.getXMLDesc(2); // VIR_DOMAIN_XML_INACTIVE
    System.out.println("live " + live.length() + " chars, inactive " + inactive.length() + " chars");
    c.close();
  }
}
