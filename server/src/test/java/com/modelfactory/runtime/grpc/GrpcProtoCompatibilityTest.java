package com.modelfactory.runtime.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.modelfactory.runtime.grpc.proto.GrpcServiceProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our .proto against the official ones in ../shared/schemas/grpc, compiled by the protoc this build ran
 * into descriptor sets: every message, field, enum value and RPC of ours must be in Triton's
 * grpc_service.proto / model_config.proto with the same number, type, label, message or enum type and
 * oneof; and where KServe's and the OIP repository's files have the message, they must agree too (no field
 * of theirs may use one of our numbers under another name).
 */
class GrpcProtoCompatibilityTest {
    private static final Path OFFICIAL = Path.of(System.getProperty("official.protos.dir", "../../shared/schemas/grpc"));

    @TempDir
    static Path tmp;
    private static Map<String, Descriptor> triton;
    private static Map<String, EnumDescriptor> tritonEnums;
    private static ServiceDescriptor tritonService;
    private static List<Map<String, Descriptor>> others;

    @BeforeAll
    static void compileOfficialProtos() throws Exception {
        assumeTrue(Files.isRegularFile(OFFICIAL.resolve("triton/grpc_service.proto")),
                "skipped: the official protos are absent (" + OFFICIAL.toAbsolutePath() + ")");
        FileDescriptor tritonFile = compile("triton", "grpc_service.proto", "model_config.proto").get("grpc_service.proto");
        triton = new HashMap<>();
        tritonEnums = new HashMap<>();
        index(tritonFile, triton, tritonEnums);
        tritonService = tritonFile.findServiceByName("GRPCInferenceService");
        others = new ArrayList<>();
        for (String[] f : new String[][] {{"kserve", "grpc_predict_v2.proto"},
                {"open-inference-protocol", "open_inference_grpc.proto"}}) {
            Map<String, Descriptor> messages = new HashMap<>();
            index(compile(f[0], f[1]).get(f[1]), messages, new HashMap<>());
            others.add(messages);
        }
    }

    /** protoc over one official folder; the files built with their imports resolved. */
    private static Map<String, FileDescriptor> compile(String folder, String... files) throws Exception {
        Path protoc = Path.of(System.getProperty("protoc.executable"));
        assertTrue(Files.isExecutable(protoc), "the build's protoc is not at " + protoc);
        Path out = tmp.resolve(folder + ".pb");
        List<String> cmd = new ArrayList<>(List.of(protoc.toString(), "-I", OFFICIAL.resolve(folder).toString(),
                "--include_imports", "--descriptor_set_out=" + out));
        cmd.addAll(List.of(files));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "protoc did not finish");
        assertEquals(0, p.exitValue(), "protoc failed: " + log);
        Map<String, FileDescriptor> built = new HashMap<>();
        for (FileDescriptorProto f : FileDescriptorSet.parseFrom(Files.readAllBytes(out)).getFileList()) {
            FileDescriptor[] deps = f.getDependencyList().stream().map(built::get).toArray(FileDescriptor[]::new);
            built.put(f.getName(), FileDescriptor.buildFrom(f, deps));
        }
        return built;
    }

    private static void index(FileDescriptor f, Map<String, Descriptor> messages, Map<String, EnumDescriptor> enums) {
        for (FileDescriptor dep : f.getDependencies()) {
            index(dep, messages, enums);
        }
        f.getMessageTypes().forEach(m -> index(m, messages, enums));
        f.getEnumTypes().forEach(e -> enums.put(e.getFullName(), e));
    }

    private static void index(Descriptor m, Map<String, Descriptor> messages, Map<String, EnumDescriptor> enums) {
        messages.put(m.getFullName(), m);
        m.getNestedTypes().forEach(n -> index(n, messages, enums));
        m.getEnumTypes().forEach(e -> enums.put(e.getFullName(), e));
    }

    private static Map<String, Descriptor> ours() {
        Map<String, Descriptor> messages = new HashMap<>();
        index(GrpcServiceProto.getDescriptor(), messages, new HashMap<>());
        return messages;
    }

    @Test
    void everyMessageAndFieldOfOursIsTritonsWithTheSameNumberTypeAndLabel() {
        List<String> problems = new ArrayList<>();
        int fields = 0;
        for (Descriptor mine : ours().values()) {
            Descriptor official = triton.get(mine.getFullName());
            if (official == null) {
                problems.add("message " + mine.getFullName() + " is not in Triton's protos");
                continue;
            }
            for (FieldDescriptor f : mine.getFields()) {
                fields++;
                FieldDescriptor o = official.findFieldByName(f.getName());
                if (o == null) {
                    problems.add(mine.getFullName() + "." + f.getName() + " is not in Triton's message");
                } else if (!signature(f).equals(signature(o))) {
                    problems.add(mine.getFullName() + "." + f.getName() + ": ours " + signature(f) + ", Triton's "
                            + signature(o));
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(fields > 100, "only " + fields + " fields compared");
    }

    @Test
    void kserveAndOipFilesAgreeOnEveryMessageTheyShare() {
        List<String> problems = new ArrayList<>();
        int shared = 0;
        for (Map<String, Descriptor> other : others) {
            for (Descriptor mine : ours().values()) {
                Descriptor official = other.get(mine.getFullName());
                if (official == null) {
                    continue;
                }
                shared++;
                for (FieldDescriptor f : mine.getFields()) {
                    FieldDescriptor byName = official.findFieldByName(f.getName());
                    FieldDescriptor byNumber = official.findFieldByNumber(f.getNumber());
                    if (byName != null && !signature(f).equals(signature(byName))) {
                        problems.add(mine.getFullName() + "." + f.getName() + ": ours " + signature(f)
                                + ", theirs " + signature(byName));
                    }
                    if (byNumber != null && !byNumber.getName().equals(f.getName())) {
                        problems.add(mine.getFullName() + " field " + f.getNumber() + " is '" + f.getName()
                                + "' here, '" + byNumber.getName() + "' there");
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(shared >= 2 * 15, "only " + shared + " messages shared with KServe's files");
    }

    @Test
    void everyEnumValueOfOursHasTheOfficialNumber() {
        List<String> problems = new ArrayList<>();
        Map<String, EnumDescriptor> mine = new HashMap<>();
        index(GrpcServiceProto.getDescriptor(), new HashMap<>(), mine);
        for (EnumDescriptor e : mine.values()) {
            EnumDescriptor official = tritonEnums.get(e.getFullName());
            if (official == null) {
                problems.add("enum " + e.getFullName() + " is not in Triton's protos");
                continue;
            }
            for (EnumValueDescriptor v : e.getValues()) {
                EnumValueDescriptor o = official.findValueByName(v.getName());
                if (o == null || o.getNumber() != v.getNumber()) {
                    problems.add(e.getFullName() + "." + v.getName() + " = " + v.getNumber() + ", Triton's "
                            + (o == null ? "none" : o.getNumber()));
                }
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(3, mine.size(), "DataType, ModelInput.Format, ModelInstanceGroup.Kind");
    }

    @Test
    void packageServiceAndEveryRpcAreTritons() {
        ServiceDescriptor service = GrpcServiceProto.getDescriptor().findServiceByName("GRPCInferenceService");
        assertEquals("inference.GRPCInferenceService", service.getFullName());
        assertEquals(tritonService.getFullName(), service.getFullName());
        List<String> problems = new ArrayList<>();
        for (MethodDescriptor m : service.getMethods()) {
            MethodDescriptor o = tritonService.findMethodByName(m.getName());
            if (o == null) {
                problems.add("rpc " + m.getName() + " is not Triton's");
            } else if (!m.getInputType().getFullName().equals(o.getInputType().getFullName())
                    || !m.getOutputType().getFullName().equals(o.getOutputType().getFullName())
                    || m.isClientStreaming() != o.isClientStreaming() || m.isServerStreaming() != o.isServerStreaming()) {
                problems.add("rpc " + m.getName() + " differs from Triton's");
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(List.of("ServerLive", "ServerReady", "ModelReady", "ServerMetadata", "ModelMetadata", "ModelInfer",
                "ModelConfig", "ModelStatistics", "RepositoryIndex", "RepositoryModelLoad", "RepositoryModelUnload"),
                service.getMethods().stream().map(MethodDescriptor::getName).toList());
    }

    /** Number, wire type, label, the message or enum it refers to, its oneof: what the wire depends on. */
    private static String signature(FieldDescriptor f) {
        String type = switch (f.getJavaType()) {
            case MESSAGE -> f.getMessageType().getFullName();
            case ENUM -> f.getEnumType().getFullName();
            default -> "";
        };
        String oneof = f.getRealContainingOneof() == null ? "" : " oneof " + f.getRealContainingOneof().getName();
        return "#" + f.getNumber() + " " + f.toProto().getLabel() + " " + f.getType() + (type.isEmpty() ? "" : " " + type)
                + (f.isPacked() ? " packed" : "") + oneof;
    }

}
