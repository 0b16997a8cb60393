package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hostile and broken input: a clear, classified error, never a hang or a partial document. */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a guard against hangs, not a performance assertion
class HostileInputTest {

    private static final String BILLION_LAUGHS = "<?xml version='1.0'?>\n<!DOCTYPE domain [\n"
            + " <!ENTITY lol 'lol'>\n"
            + " <!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>\n"
            + " <!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>\n"
            + " <!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>\n"
            + " <!ENTITY lol4 '&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;'>\n"
            + " <!ENTITY lol5 '&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;'>\n"
            + " <!ENTITY lol6 '&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;'>\n"
            + " <!ENTITY lol7 '&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;'>\n"
            + " <!ENTITY lol8 '&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;'>\n"
            + " <!ENTITY lol9 '&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;'>\n"
            + "]>\n<domain type='kvm'><name>&lol9;</name><vcpu>1</vcpu></domain>";

    private static DomainXmlException refused(String xml) {
        try {
            DomainXml.parse(xml);
        } catch (DomainXmlException e) {
            return e;
        }
        throw new AssertionError("accepted: " + xml);
    }

    @Test
    void billionLaughs_refusedAsHostile() {
        DomainXmlException e = refused(BILLION_LAUGHS);
        assertThat(e.reason()).isEqualTo(Reason.HOSTILE);
        assertThat(e).hasMessageContaining("must not contain a DOCTYPE").hasMessageContaining("line 2");
    }

    @Test
    void externalEntityReadingLocalFile_refusedWithoutReadingIt() {
        DomainXmlException e = refused("<!DOCTYPE domain [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
                + "<domain type='kvm'><name>&xxe;</name></domain>");
        assertThat(e.reason()).isEqualTo(Reason.HOSTILE);
        assertThat(e).hasMessageContaining("must not contain a DOCTYPE").hasMessageNotContaining("root:");
    }

    @Test
    void parameterEntityAndExternalDtd_refused() {
        assertThat(refused("<!DOCTYPE domain [<!ENTITY % p SYSTEM 'file:///etc/passwd'> %p;]><domain type='kvm'/>").reason())
                .isEqualTo(Reason.HOSTILE);
        assertThat(refused("<!DOCTYPE domain SYSTEM 'http://127.0.0.1:1/evil.dtd'><domain type='kvm'/>").reason())
                .isEqualTo(Reason.HOSTILE);
        assertThat(refused("<!DOCTYPE domain><domain type='kvm'/>").reason()).isEqualTo(Reason.HOSTILE);
    }

    @Test
    void xinclude_notProcessed_keptAsElement() {
        String xml = "<domain type='kvm' xmlns:xi='http://www.w3.org/2001/XInclude'><name>x</name>"
                + "<xi:include href='file:///etc/passwd' parse='text'/></domain>";
        String out = DomainXml.parse(xml).toXml();
        assertThat(out).isEqualTo(xml).doesNotContain("root:");
    }

    @Test
    void nonXml_malformedWithLineAndColumn() {
        DomainXmlException e = refused("this is not XML");
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(e).hasMessageContaining("not well-formed at line 1, column");
        DomainXmlException e2 = refused("<domain type='kvm'>\n  <name>x</name>\n  <vcpu>1</cpu>\n</domain>");
        assertThat(e2.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(e2).hasMessageContaining("line 3");
    }

    @Test
    void emptyAndBlankInput_malformed() {
        assertThat(refused("").reason()).isEqualTo(Reason.MALFORMED);
        assertThat(refused("   \n").reason()).isEqualTo(Reason.MALFORMED);
        assertThatThrownBy(() -> DomainXml.parse(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void deeplyNestedElements_refusedAsHostile_noStackOverflow() {
        String xml = "<domain type='kvm'>" + "<a>".repeat(100_000) + "</a>".repeat(100_000) + "</domain>";
        DomainXmlException e = refused(xml);
        assertThat(e.reason()).isEqualTo(Reason.HOSTILE);
        assertThat(e).hasMessageContaining("safety limit").hasMessageContaining("256");
    }

    @Test
    void parserMessageQuotingTheDocument_shortenedAndEscaped() {
        String name = "n".repeat(1_000);
        DomainXmlException e = refused("<domain type='kvm'><" + name + "></x></domain>");
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(e.getMessage()).hasSizeLessThan(600).contains("…");
    }

    @Test
    void byteOrderMark_accepted() {
        assertThat(DomainXml.parse("\uFEFF<domain type='kvm'><name>x</name></domain>").name()).isEqualTo("x");
    }

    @Test
    void undeclaredEntity_malformed() {
        DomainXmlException e = refused("<domain type='kvm'><name>&foo;</name></domain>");
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(e).hasMessageContaining("foo");
    }

    @Test
    void otherRoot_refusedAsMissingDomain() {
        DomainXmlException e = refused("<network><name>default</name></network>");
        assertThat(e.reason()).isEqualTo(Reason.MISSING_ELEMENT);
        assertThat(e).hasMessageContaining("<network>").hasMessageContaining("not <domain>");
    }

    @Test
    void namespacedDomainRoot_refusedWithFix() {
        DomainXmlException e = refused("<domain xmlns='urn:x' type='kvm'/>");
        assertThat(e.reason()).isEqualTo(Reason.MISSING_ELEMENT);
        assertThat(e).hasMessageContaining("namespace 'urn:x'").hasMessageContaining("remove the xmlns");
    }

    @Test
    void domainWithoutVcpu_parsesAndVcpuIsEmpty() {
        DomainXml d = DomainXml.parse("<domain type='kvm'><name>x</name><memory>1024</memory></domain>");
        assertThat(d.vcpu()).isEmpty();
        assertThat(d.memory().orElseThrow().size()).isEqualTo(MemorySize.ofMiB(1));
    }

    @Test
    void negativeAndHugeNumbersAndUnknownUnits_invalidValueNamingTheElement() {
        assertInvalid("<vcpu>-1</vcpu>", d -> d.vcpu(), "<vcpu> maximum", "not a whole non-negative number");
        assertInvalid("<vcpu>99999999999</vcpu>", d -> d.vcpu(), "<vcpu> maximum", "too large");
        assertInvalid("<vcpu current='-2'>4</vcpu>", d -> d.vcpu(), "<vcpu current>", "not a whole");
        assertInvalid("<memory>-1024</memory>", d -> d.memory(), "<memory>", "not a whole number");
        assertInvalid("<memory unit='EiB'>99999999999999999999999</memory>", d -> d.memory(), "<memory>", "too large");
        assertInvalid("<memory unit='EiB'>8</memory>", d -> d.memory(), "<memory>", "too large");
        assertInvalid("<memory unit='XB'>1</memory>", d -> d.memory(), "<memory>", "unknown memory unit 'XB'");
        assertInvalid("<currentMemory unit='furlongs'>1</currentMemory>", d -> d.currentMemory(), "<currentMemory>",
                "unknown memory unit");
        assertInvalid("<maxMemory slots='-1'>1</maxMemory>", d -> d.maxMemory(), "<maxMemory slots>", "not a whole");
        assertInvalid("<cpu><numa><cell id='0' cpus='0-1' memory='1' unit='QiB'/></numa></cpu>", d -> d.numaCells(),
                "<numa><cell id='0'> memory", "unknown memory unit");
        assertInvalid("<cpu><numa><cell id='0' cpus='3-1' memory='1'/></numa></cpu>", d -> d.numaCells(),
                "<numa><cell id='0'> cpus", "ends before it starts");
        assertInvalid("<cpu><topology sockets='0' cores='1' threads='1'/></cpu>", d -> d.topology(), "sockets='0'",
                "1 or more");
        assertInvalid("<devices><memory model='dimm'><target><size unit='MiB'>-5</size><node>0</node></target>"
                + "</memory></devices>", d -> d.memoryDevices(), "<memory model='dimm'> <target><size>", "not a whole");
    }

    private static void assertInvalid(String part, java.util.function.Function<DomainXml, Object> read,
            String elementFragment, String whyFragment) {
        String xml = "<domain type='kvm'><name>x</name>" + part + "</domain>";
        DomainXml d = DomainXml.parse(xml);
        assertThatThrownBy(() -> read.apply(d))
                .isInstanceOf(DomainXmlException.class)
                .hasMessageContaining(elementFragment)
                .hasMessageContaining(whyFragment)
                .satisfies(e -> assertThat(((DomainXmlException) e).reason()).isEqualTo(Reason.INVALID_VALUE));
        assertThat(d.toXml()).isEqualTo(xml);
    }
}
