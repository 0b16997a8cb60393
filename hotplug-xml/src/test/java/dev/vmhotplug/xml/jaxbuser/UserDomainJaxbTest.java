package dev.vmhotplug.xml.jaxbuser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.vmhotplug.xml.CpuSet;
import dev.vmhotplug.xml.MaxMemory;
import dev.vmhotplug.xml.MemoryAmount;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.NumaCell;
import dev.vmhotplug.xml.Vcpu;
import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.Marshaller;
import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlElementWrapper;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.XmlValue;
import java.io.File;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own JAXB domain model (this package sees only the public API of hotplug-xml) with our
 * parts as its fields: marshalled by the user's own context, the document is valid for libvirt's
 * {@code domain.rng} ({@code virt-xml-validate FILE domain}), and it unmarshals back to equal parts.
 */
class UserDomainJaxbTest {

    @TempDir Path tmp;

    /** The user's root class: their domain, with our parts inside. */
    @XmlRootElement(name = "domain")
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(propOrder = {"name", "maxMemory", "memory", "currentMemory", "vcpu", "os", "cpu", "devices"})
    static class UserDomain {
        @XmlAttribute String type = "kvm";
        @XmlElement String name;
        @XmlElement MaxMemory maxMemory;
        @XmlElement MemoryAmount memory;
        @XmlElement MemoryAmount currentMemory;
        @XmlElement Vcpu vcpu;
        @XmlElement Os os = new Os();
        @XmlElement UserCpu cpu;
        @XmlElementWrapper(name = "devices") @XmlElement(name = "memory") List<MemoryDevice> devices = new ArrayList<>();
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static class Os {
        @XmlElement OsType type = new OsType();
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static class OsType {
        @XmlAttribute String arch = "x86_64";
        @XmlAttribute String machine = "pc";
        @XmlValue String value = "hvm";
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static class UserCpu {
        @XmlElementWrapper(name = "numa") @XmlElement(name = "cell") List<NumaCell> cells = new ArrayList<>();
    }

    private static UserDomain sample() {
        UserDomain d = new UserDomain();
        d.name = "jaxb-user";
        d.maxMemory = MaxMemory.of(MemorySize.ofGiB(16), 16);
        d.memory = MemoryAmount.of(MemorySize.ofGiB(2));
        d.currentMemory = MemoryAmount.of(MemorySize.ofGiB(2));
        d.vcpu = Vcpu.builder().maximum(8).current(2).placement("static").build();
        d.cpu = new UserCpu();
        d.cpu.cells.add(NumaCell.builder().id(0).cpus(CpuSet.range(0, 7)).memory(MemorySize.ofGiB(1)).build());
        d.devices.add(MemoryDevice.dimm(MemorySize.ofMiB(512), 0));
        d.devices.add(MemoryDevice.virtioMem(MemorySize.ofMiB(512), 0, MemoryDevice.VIRTIO_MEM_X86_BLOCK,
                MemorySize.ofMiB(128)));
        return d;
    }

    @Test
    void userContext_marshalsOurParts_libvirtSchemaValid_andUnmarshalsBackEqual() throws Exception {
        JAXBContext own = JAXBContext.newInstance(UserDomain.class); // our classes are found from the fields
        UserDomain d = sample();
        Marshaller m = own.createMarshaller();
        m.setProperty(Marshaller.JAXB_FORMATTED_OUTPUT, Boolean.TRUE);
        StringWriter w = new StringWriter();
        m.marshal(d, w);
        String xml = w.toString();
        assertThat(xml).contains("<vcpu placement=\"static\" current=\"2\">8</vcpu>")
                .contains("<maxMemory slots=\"16\" unit=\"KiB\">16777216</maxMemory>")
                .contains("<cell id=\"0\" cpus=\"0-7\" memory=\"1048576\" unit=\"KiB\"/>")
                .contains("<memory model=\"dimm\">").contains("<block unit=\"MiB\">2</block>");

        UserDomain back = (UserDomain) own.createUnmarshaller().unmarshal(new StringReader(xml));
        assertThat(back.vcpu).isEqualTo(d.vcpu);
        assertThat(back.maxMemory).isEqualTo(d.maxMemory);
        assertThat(back.memory).isEqualTo(d.memory);
        assertThat(back.cpu.cells).isEqualTo(d.cpu.cells);
        assertThat(back.devices).isEqualTo(d.devices);
        assertThat(back.devices.get(1).requestedSize()).contains(MemorySize.ofMiB(128));

        Path f = tmp.resolve("jaxb-user.xml");
        Files.writeString(f, xml, StandardCharsets.UTF_8);
        String why = missingTools();
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but libvirt's schema check cannot run: " + why);
            }
            System.out.println("UserDomainJaxbTest: schema check skipped: " + why);
            Assumptions.abort(why);
        }
        Process p = new ProcessBuilder("virt-xml-validate", f.toString(), "domain").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out + "\n" + xml).isZero();
        assertThat(out).contains("validates");
    }

    private static String missingTools() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("virt-xml-validate", "xmllint")) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                found |= Files.isExecutable(Path.of(dir, tool));
            }
            if (!found) {
                missing.add(tool);
            }
        }
        if (!Files.isRegularFile(Path.of("/usr/share/libvirt/schemas/domain.rng"))) {
            missing.add("/usr/share/libvirt/schemas/domain.rng");
        }
        return missing.isEmpty() ? null : "missing " + missing + "; install with: apt-get install -y libvirt-clients libxml2-utils";
    }
}
