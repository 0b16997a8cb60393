package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.Dom;
import java.util.Map;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * The {@code <cpu><topology sockets='S' dies='D' clusters='C' cores='K' threads='T'/>} of a domain.
 * {@code dies} and {@code clusters} default to 1 when absent. Immutable, read-only.
 */
public final class CpuTopology {

    static final Set<String> MODELLED = Set.of("sockets", "dies", "clusters", "cores", "threads");

    private final int sockets;
    private final int dies;
    private final int clusters;
    private final int cores;
    private final int threads;
    private final Map<String, String> other;

    private CpuTopology(int sockets, int dies, int clusters, int cores, int threads, Map<String, String> other) {
        this.sockets = sockets;
        this.dies = dies;
        this.clusters = clusters;
        this.cores = cores;
        this.threads = threads;
        this.other = other;
    }

    static CpuTopology read(Element e) {
        return new CpuTopology(required(e, "sockets"), optional(e, "dies"), optional(e, "clusters"),
                required(e, "cores"), required(e, "threads"), Parts.otherAttributes(e, MODELLED));
    }

    private static int required(Element e, String name) {
        String v = Dom.attr(e, name);
        if (v == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    "<cpu><topology> has no '" + name + "' attribute; libvirt requires sockets, cores and threads");
        }
        return positive(v, name);
    }

    private static int optional(Element e, String name) {
        String v = Dom.attr(e, name);
        return v == null ? 1 : positive(v, name);
    }

    private static int positive(String v, String name) {
        int n = Parts.uint(v, "<cpu><topology " + name + ">");
        if (n == 0) {
            throw new DomainXmlException(Reason.INVALID_VALUE,
                    "<cpu><topology " + name + "='0'> is invalid: each topology count must be 1 or more");
        }
        return n;
    }

    /** @return the sockets */
    public int sockets() {
        return sockets;
    }

    /** @return the dies per socket (1 when absent) */
    public int dies() {
        return dies;
    }

    /** @return the clusters per die (1 when absent) */
    public int clusters() {
        return clusters;
    }

    /** @return the cores per die (per cluster when clusters are given) */
    public int cores() {
        return cores;
    }

    /** @return the threads per core */
    public int threads() {
        return threads;
    }

    /**
     * Returns sockets × dies × clusters × cores × threads: the number of vCPUs the topology
     * describes, which libvirt requires to equal the {@code <vcpu>} maximum.
     *
     * @return the product
     * @throws DomainXmlException (INVALID_VALUE) if the product exceeds {@code Integer.MAX_VALUE}
     */
    public int total() {
        long t = 1;
        for (int n : new int[] {sockets, dies, clusters, cores, threads}) {
            t *= n;
            if (t > Integer.MAX_VALUE) {
                throw new DomainXmlException(Reason.INVALID_VALUE,
                        "<cpu><topology> " + this + " describes more than " + Integer.MAX_VALUE
                                + " vCPUs; fix the topology so that its product equals the <vcpu> maximum");
            }
        }
        return (int) t;
    }

    /**
     * Returns the attributes this type does not model.
     *
     * @return an unmodifiable map (qualified name to value)
     */
    public Map<String, String> otherAttributes() {
        return other;
    }

    @Override
    public String toString() {
        return "CpuTopology{sockets=" + sockets + ", dies=" + dies + ", clusters=" + clusters
                + ", cores=" + cores + ", threads=" + threads + "}";
    }
}
