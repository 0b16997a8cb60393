package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class XmlStructureTest {

    private static final String BASE = "<?xml version='1.0'?>\n<!-- c --><?pi data?>\n<domain type='kvm' id='1'>\n"
            + "  <name>a</name>\n  <metadata><m:x xmlns:m='urn:m' m:k='v'>t</m:x></metadata>\n"
            + "  <vcpu>2</vcpu>\n</domain>";

    @Test
    void sameStructure_differentQuotesAttributeOrderWhitespaceAndDeclaration_noDifference() {
        String other = "<!-- c --><?pi data?><domain id=\"1\" type=\"kvm\"><name>a</name>"
                + "<metadata>\n<m:x m:k=\"v\" xmlns:m=\"urn:m\">t</m:x></metadata><vcpu>2</vcpu></domain>\n";
        assertThat(XmlStructure.diffPaths(BASE, other)).isEmpty();
    }

    @Test
    void changedAttributeTextCommentPi_reportedByPath() {
        assertThat(XmlStructure.diffPaths(BASE, BASE.replace("id='1'", "id='2'"))).containsExactly("/domain[1]/@id");
        assertThat(XmlStructure.diffPaths(BASE, BASE.replace("<vcpu>2", "<vcpu>3")))
                .containsExactly("/domain[1]/vcpu[1]/text()[1]");
        assertThat(XmlStructure.diffPaths(BASE, BASE.replace("<!-- c -->", "<!-- d -->"))).containsExactly("/comment()[1]");
        assertThat(XmlStructure.diffPaths(BASE, BASE.replace("<?pi data?>", "<?pi other?>")))
                .containsExactly("/processing-instruction(pi)[1]");
        assertThat(XmlStructure.diffPaths(BASE, BASE.replace("m:k='v'", "m:k='w'")))
                .containsExactly("/domain[1]/metadata[1]/{urn:m}x[1]/@{urn:m}k");
    }

    @Test
    void namespaceUriChange_reported() {
        assertThat(XmlStructure.diffPaths(BASE, BASE.replace("'urn:m'", "'urn:other'"))).isNotEmpty();
    }

    @Test
    void insertedElement_reportsOnlyThatElement() {
        String added = BASE.replace("  <vcpu>", "  <memory>1</memory>\n  <vcpu>");
        assertThat(XmlStructure.diffPaths(BASE, added)).containsExactly("/domain[1]/memory[1]");
        assertThat(XmlStructure.outside(XmlStructure.diffPaths(BASE, added), "/domain[1]/memory[1]")).isEmpty();
        assertThat(XmlStructure.outside(XmlStructure.diffPaths(BASE, added), "/domain[1]/vcpu[1]"))
                .containsExactly("/domain[1]/memory[1]");
    }

    @Test
    void reorderedSiblings_reportedAsOrder() {
        String swapped = BASE.replace("<name>a</name>", "@").replace("<vcpu>2</vcpu>", "<name>a</name>")
                .replace("@", "<vcpu>2</vcpu>");
        assertThat(XmlStructure.diffPaths(BASE, swapped)).containsExactly("/domain[1]/(order)");
    }

    @Test
    void notXml_failsTheTest() {
        assertThatThrownBy(() -> XmlStructure.diffPaths(BASE, "<domain>")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("not well-formed");
    }
}
