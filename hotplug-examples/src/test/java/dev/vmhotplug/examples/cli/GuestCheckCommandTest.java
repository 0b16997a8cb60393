package dev.vmhotplug.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GuestCheckCommandTest {

  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = HotplugCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private Path file(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  private static String cpuinfo(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("processor\t: ").append(i).append("\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n\n");
    }
    return sb.toString();
  }

  @Test
  void allOnline_exitsZero() throws IOException {
    int code = run("guest-check", "--cpuinfo", file("cpuinfo", cpuinfo(3)).toString(),
        "--cpu-online", file("online", "0-2\n").toString(), "--expect-vcpus", "3");
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).startsWith("guest-check: OK\n").contains("3 CPUs online, as expected");
  }

  @Test
  void modelNameWithProcessor_printsANoteAboutTheGuidesGrep() throws IOException {
    String text = cpuinfo(2).replace("AMD EPYC", "Intel Xeon Processor (Cascadelake)");
    int code = run("guest-check", "--cpuinfo", file("cpuinfo", text).toString(), "--expect-vcpus", "2");
    assertThat(code).isZero();
    assertThat(out.toString()).contains("note: the guide's `cat /proc/cpuinfo | grep -i processor | wc -l` prints 4"
        + " on this guest, not 2");
  }

  @Test
  void cpuPresentButOffline_exitsThreeWithDiagnosis() throws IOException {
    int code = run("guest-check", "--cpu-online", file("online", "0-1\n").toString(),
        "--cpu-present", file("present", "0-2\n").toString(), "--expect-vcpus", "3");
    assertThat(code).isEqualTo(3);
    assertThat(out.toString()).contains("guest-check: NOT_ONLINE")
        .contains("CPU 2 present but offline: no udev rule onlines CPUs on this guest (see `hotplug udev-rules`)");
  }

  @Test
  void offlineMemoryBlocks_exitThree() throws IOException {
    file("memory/block_size_bytes", "8000000\n");
    file("memory/memory0/state", "online\n");
    file("memory/memory32/state", "offline\n");
    file("memory/memory33/state", "offline\n");
    int code = run("guest-check", "--cpuinfo", file("cpuinfo", cpuinfo(2)).toString(),
        "--memory-root", tmp.resolve("memory").toString(), "--expect-vcpus", "2", "--expect-memory", "768MiB");
    assertThat(code).isEqualTo(3);
    assertThat(out.toString()).contains("2 memory blocks offline (memory32, memory33, 256 MiB in all)");
  }

  @Test
  void memTotalFromNodeMeminfo_againstExpectedMemory() throws IOException {
    Path meminfo = file("meminfo", "Node 0 MemTotal:         491520 kB\nNode 0 MemFree:  100 kB\n");
    int code = run("guest-check", "--node-meminfo", meminfo.toString(), "--cpuinfo",
        file("cpuinfo", cpuinfo(1)).toString(), "--expect-vcpus", "1", "--expect-memory", "768MiB");
    assertThat(code).isEqualTo(3);
    assertThat(out.toString()).contains("MemTotal is 480 MiB, 288 MiB short of the 768 MiB");
  }

  @Test
  void baselineAndAdded_explainTheStructPageReserve() throws IOException {
    Path meminfo = file("meminfo", "Node 0 MemTotal:         757760 kB\n");
    int code = run("guest-check", "--node-meminfo", meminfo.toString(), "--cpuinfo",
        file("cpuinfo", cpuinfo(1)).toString(), "--expect-vcpus", "1",
        "--baseline-memtotal", "500MiB", "--added-memory", "256MiB");
    assertThat(code).as(out + "" + err).isZero();
    assertThat(out.toString()).contains("MemTotal grew by 240 MiB of 256 MiB: the kernel reserves the rest");
  }

  @Test
  void freeOutput_givesMemTotal_withANote() throws IOException {
    Path free = file("free", "               total        used        free      shared  buff/cache   available\n"
        + "Mem:             480         100         380           0           0         380\n"
        + "Swap:              0           0           0\n");
    int code = run("guest-check", "--free-m", free.toString(), "--cpuinfo", file("cpuinfo", cpuinfo(1)).toString(),
        "--expect-vcpus", "1", "--expect-memory", "768MiB");
    assertThat(code).isEqualTo(3);
    assertThat(out.toString()).contains("MemTotal is 480 MiB, 288 MiB short")
        .contains("note: MemTotal taken from free -m");
  }

  @Test
  void freeHumanReadable_exitsOneWithAdvice() throws IOException {
    Path free = file("free", "               total        used        free\nMem:            23Gi       288Mi        23Gi\n");
    int code = run("guest-check", "--free-m", free.toString(), "--expect-vcpus", "1");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains(free.toString()).contains("not free -h");
  }

  @Test
  void agentReplies_areRead() throws IOException {
    Path vcpus = file("vcpus.json", "{\"return\": [{\"logical-id\": 0, \"online\": true},"
        + " {\"logical-id\": 1, \"online\": false, \"can-offline\": true}]}");
    int code = run("guest-check", "--agent-vcpus", vcpus.toString(), "--expect-vcpus", "2");
    assertThat(code).isEqualTo(3);
    assertThat(out.toString()).contains("CPU 1 present but offline");
  }

  @Test
  void noMemoryFacts_cannotTell_exitsOne() throws IOException {
    int code = run("guest-check", "--cpuinfo", file("cpuinfo", cpuinfo(2)).toString(),
        "--expect-vcpus", "2", "--expect-memory", "1GiB");
    assertThat(code).isEqualTo(1);
    assertThat(out.toString()).contains("guest-check: CANNOT_TELL").contains("cannot tell whether the guest onlined its memory");
  }

  @Test
  void emptyCpuinfo_exitsOneNamingTheFile() throws IOException {
    Path f = file("cpuinfo", "");
    int code = run("guest-check", "--cpuinfo", f.toString(), "--expect-vcpus", "2");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains(f.toString()).contains("/proc/cpuinfo is empty");
    assertThat(Files.readString(f)).isEmpty();
  }

  @Test
  void missingFile_exitsOne() {
    int code = run("guest-check", "--cpuinfo", tmp.resolve("nope").toString(), "--expect-vcpus", "2");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("does not exist");
  }

  @Test
  void truncatedAgentReply_exitsOne() throws IOException {
    int code = run("guest-check", "--agent-memory-blocks", file("m.json", "{\"return\": [{\"phys-index\": 3").toString(),
        "--expect-vcpus", "2");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("not valid JSON").contains("truncated?");
  }

  @Test
  void binaryJunk_exitsOne() throws IOException {
    Path f = tmp.resolve("junk");
    Files.write(f, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
    int code = run("guest-check", "--cpu-online", f.toString(), "--expect-vcpus", "2");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("is binary, not text");
  }

  @Test
  void missingExpectVcpus_exitsTwo() throws IOException {
    int code = run("guest-check", "--cpuinfo", file("cpuinfo", cpuinfo(2)).toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--expect-vcpus");
  }

  @Test
  void noFactSource_exitsTwo() {
    int code = run("guest-check", "--expect-vcpus", "2");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("give at least one fact source");
  }

  @Test
  void badSize_exitsTwo() throws IOException {
    int code = run("guest-check", "--cpuinfo", file("cpuinfo", cpuinfo(2)).toString(), "--expect-vcpus", "2",
        "--expect-memory", "768");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--expect-memory");
  }

  @Test
  void zeroVcpus_exitsTwo() throws IOException {
    int code = run("guest-check", "--cpuinfo", file("cpuinfo", cpuinfo(2)).toString(), "--expect-vcpus", "0");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--expect-vcpus 0 is below 1");
  }

  @Test
  void baselineWithoutAdded_exitsTwo() throws IOException {
    int code = run("guest-check", "--cpuinfo", file("cpuinfo", cpuinfo(2)).toString(), "--expect-vcpus", "2",
        "--baseline-memtotal", "500MiB");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("go together");
  }

  @Test
  void local_readsThisMachine() {
    int code = run("guest-check", "--local", "--expect-vcpus",
        String.valueOf(Runtime.getRuntime().availableProcessors()));
    assertThat(out.toString() + err).startsWith("guest-check: ");
    assertThat(code).as(out.toString() + err).isIn(0, 1, 3);
  }

  @Test
  void json_ok_oneObjectWithStatusFindingsAndExpectation_exit0() throws IOException {
    int code = run("guest-check", "--cpuinfo", file("cpuinfo", cpuinfo(3)).toString(),
        "--cpu-online", file("online", "0-2\n").toString(), "--expect-vcpus", "3", "--json");
    assertThat(code).as(err.toString()).isZero();
    String json = out.toString();
    assertThat(json).startsWith("{\"status\":\"OK\",\"findings\":[\"").endsWith("}\n")
        .contains("3 CPUs online, as expected")
        .contains("],\"notes\":[],\"expectVcpus\":3}")
        .doesNotContain("guest-check:");
    assertThat(json.strip()).doesNotContain("\n");
  }

  @Test
  void json_notOnline_exit3_withNotesAndExpectedMemory() throws IOException {
    Path free = file("free", "               total        used        free      shared  buff/cache   available\n"
        + "Mem:             480         100         380           0           0         380\n");
    int code = run("guest-check", "--free-m", free.toString(), "--cpuinfo", file("cpuinfo", cpuinfo(1)).toString(),
        "--expect-vcpus", "1", "--expect-memory", "768MiB", "--json");
    assertThat(code).isEqualTo(3);
    assertThat(out.toString()).startsWith("{\"status\":\"NOT_ONLINE\",\"findings\":[\"")
        .contains("MemTotal is 480 MiB, 288 MiB short")
        .contains("\"notes\":[\"MemTotal taken from free -m")
        .contains("\"expectVcpus\":1,\"expectMemoryKiB\":786432}");
  }

  @Test
  void json_cannotTell_exit1() throws IOException {
    int code = run("guest-check", "--cpuinfo", file("cpuinfo", cpuinfo(2)).toString(),
        "--expect-vcpus", "2", "--expect-memory", "1GiB", "--json");
    assertThat(code).isEqualTo(1);
    assertThat(out.toString()).startsWith("{\"status\":\"CANNOT_TELL\",\"findings\":[")
        .contains("cannot tell whether the guest onlined its memory");
  }

  @Test
  void json_unreadableInput_exit1_cannotTellWithTheError() throws IOException {
    Path f = file("cpuinfo", "");
    int code = run("guest-check", "--cpuinfo", f.toString(), "--expect-vcpus", "2", "--json");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("/proc/cpuinfo is empty");
    assertThat(out.toString()).startsWith("{\"status\":\"CANNOT_TELL\",\"findings\":[],\"error\":\"")
        .contains("/proc/cpuinfo is empty").endsWith("\"}\n");
  }

  @Test
  void json_badArguments_stillExit2() {
    assertThat(run("guest-check", "--expect-vcpus", "2", "--json")).isEqualTo(2);
    assertThat(err.toString()).contains("give at least one fact source");
  }
}
