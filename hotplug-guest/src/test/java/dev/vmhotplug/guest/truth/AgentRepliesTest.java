package dev.vmhotplug.guest.truth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentRepliesTest {

  @Test
  void vcpusReply_parsesEveryMember() {
    List<AgentReplies.AgentVcpu> v = AgentReplies.parseVcpus(Resources.text("agent/guest-get-vcpus.json"));
    assertThat(v).containsExactly(
        new AgentReplies.AgentVcpu(0, true, Optional.of(false)),
        new AgentReplies.AgentVcpu(1, true, Optional.of(true)),
        new AgentReplies.AgentVcpu(2, false, Optional.of(true)));
  }

  @Test
  void memoryBlocksReply_parsesEveryMember_andOptionalCanOffline() {
    List<AgentReplies.AgentMemoryBlock> b =
        AgentReplies.parseMemoryBlocks(Resources.text("agent/guest-get-memory-blocks.json"));
    assertThat(b).hasSize(4);
    assertThat(b.get(2)).isEqualTo(new AgentReplies.AgentMemoryBlock(32, false, Optional.of(true)));
    assertThat(b.get(3).canOffline()).isEmpty();
  }

  @Test
  void blockInfoReply_givesTheSize() {
    assertThat(AgentReplies.parseMemoryBlockSize(Resources.text("agent/guest-get-memory-block-info.json")))
        .isEqualTo(134217728L);
  }

  @Test
  void setVcpusReply_givesTheCount_refusesWhatIsNotOne() {
    assertThat(AgentReplies.parseSetVcpus("{\"return\":2}")).isEqualTo(2);
    assertThat(AgentReplies.parseSetVcpus("{\"return\":0}")).isZero();
    assertThatThrownBy(() -> AgentReplies.parseSetVcpus("{\"return\":[1]}")).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("guest-set-vcpus reply holds an array");
    assertThatThrownBy(() -> AgentReplies.parseSetVcpus("{\"return\":-1}")).hasMessageContaining("the count -1");
    assertThatThrownBy(() -> AgentReplies.parseSetVcpus("{\"error\":{\"class\":\"GenericError\","
        + "\"desc\":\"logical processor #0 can't be offlined\"}}"))
        .hasMessageContaining("GenericError").hasMessageContaining("#0 can't be offlined");
  }

  @Test
  void setMemoryBlocksReply_asTheLabAgentAnswers_perBlockResponses() {
    // captured from qemu-ga 7.2 in the lab guest (docs/lab-agent.md)
    List<AgentReplies.AgentMemoryBlockResponse> ok = AgentReplies.parseSetMemoryBlocks(
        "{\"return\":[{\"response\":\"success\",\"phys-index\":32},{\"response\":\"success\",\"phys-index\":33}]}");
    assertThat(ok).extracting(AgentReplies.AgentMemoryBlockResponse::physIndex).containsExactly(32L, 33L);
    assertThat(ok).allMatch(AgentReplies.AgentMemoryBlockResponse::success);
    AgentReplies.AgentMemoryBlockResponse nf = AgentReplies.parseSetMemoryBlocks(
        "{\"return\":[{\"response\":\"not-found\",\"error-code\":2,\"phys-index\":99}]}").get(0);
    assertThat(nf.success()).isFalse();
    assertThat(nf.response()).isEqualTo("not-found");
    assertThat(nf.errorCode()).hasValue(2L);
    assertThatThrownBy(() -> AgentReplies.parseSetMemoryBlocks("{\"return\":[{\"phys-index\":1}]}"))
        .hasMessageContaining("\"response\" is missing");
    assertThatThrownBy(() -> AgentReplies.parseSetMemoryBlocks(
        "{\"return\":[{\"phys-index\":1,\"response\":\"success\",\"error-code\":\"x\"}]}"))
        .hasMessageContaining("\"error-code\" is the string");
  }

  @Test
  void bareArray_isAccepted() {
    assertThat(AgentReplies.parseVcpus("[{\"logical-id\":3,\"online\":true}]"))
        .containsExactly(new AgentReplies.AgentVcpu(3, true, Optional.empty()));
  }

  @Test
  void errorReply_carriesTheAgentsDescription() {
    assertThatThrownBy(() -> AgentReplies.parseVcpus(Resources.text("agent/error-unsupported.json")))
        .isInstanceOf(GuestDataException.class)
        .hasMessageContaining("error from the guest agent (GenericError)")
        .hasMessageContaining("not currently supported");
  }

  @Test
  void truncatedReply_saysTruncated() {
    String full = Resources.text("agent/guest-get-vcpus.json");
    for (int cut : new int[] {1, 10, 40, full.strip().length() - 1}) {
      String part = full.substring(0, cut);
      assertThatThrownBy(() -> AgentReplies.parseVcpus(part)).as("cut at " + cut)
          .isInstanceOf(GuestDataException.class).hasMessageContaining("not valid JSON")
          .hasMessageContaining("truncated?");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"return\": {}}", "{\"return\": [1]}", "{\"return\": [{\"online\": true}]}",
      "{\"return\": [{\"logical-id\": -1, \"online\": true}]}",
      "{\"return\": [{\"logical-id\": 1.5, \"online\": true}]}",
      "{\"return\": [{\"logical-id\": 1, \"online\": \"yes\"}]}",
      "{\"return\": [{\"logical-id\": 1, \"online\": true, \"can-offline\": 1}]}"})
  void schemaViolations_areRefusedWithTheReplyName(String json) {
    assertThatThrownBy(() -> AgentReplies.parseVcpus(json)).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("guest-get-vcpus reply");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "nul", "{\"a\" 1}", "[1,]", "{\"a\":1}x", "\"\\q\"", "01", "[1 2]",
      "{\"a\":1,\"a\":2}"})
  void invalidJson_isAClearError(String json) {
    assertThatThrownBy(() -> AgentReplies.parseMemoryBlocks(json)).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("guest-get-memory-blocks reply")
        .message().isNotBlank();
  }

  @Test
  void deepNesting_isRefused() {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    assertThatThrownBy(() -> AgentReplies.parseVcpus(deep)).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("nesting deeper than 64");
  }

  @Test
  void jsonStrings_unescape() {
    Object v = Json.parse("{\"k\": \"a\\u0041\\n\\\"\"}", "test");
    assertThat(v).isEqualTo(java.util.Map.of("k", "aA\n\""));
  }
}
