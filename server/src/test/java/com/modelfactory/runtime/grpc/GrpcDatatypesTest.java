package com.modelfactory.runtime.grpc;

import static com.modelfactory.runtime.grpc.GrpcRequests.input;
import static com.modelfactory.runtime.grpc.GrpcServingTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.modelfactory.runtime.engine.BFloat16;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Half;
import com.modelfactory.runtime.grpc.proto.InferTensorContents;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.grpc.proto.ModelInferResponse;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every datatype through raw_input_contents and through typed contents, against a model that echoes its
 * input: the answer's raw bytes are exactly the little-endian encoding of the values sent (BYTES: length
 * prefixed), with edge values of each type; FP16 and BF16 are raw only; narrowing is range checked.
 */
class GrpcDatatypesTest {
    private static final long ROWS = 2;
    private static final long WIDTH = 3;

    /** Six values of each type, as bit patterns (floats as their raw bits), edges included. */
    private static long[] values(DataType t) {
        return switch (t) {
            case BOOL -> new long[] {1, 0, 1, 1, 0, 0};
            case INT8 -> new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE, 0, -1, 5, 100};
            case UINT8 -> new long[] {0, 255, 1, 128, 7, 200};
            case INT16 -> new long[] {Short.MIN_VALUE, Short.MAX_VALUE, 0, -1, 300, -300};
            case UINT16 -> new long[] {0, 0xffff, 1, 0x8000, 7, 60000};
            case INT32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, 70000, -70000};
            case UINT32 -> new long[] {0, 0xffffffffL, 1, 0x80000000L, 7, 3000000000L};
            case INT64, UINT64 -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1L << 40, -(1L << 40)};
            case FP16 -> new long[] {Half.fromFloat(1f), Half.fromFloat(-2.5f), 0x7bff, 0x0001, 0x8000, Half.fromFloat(0.1f)};
            case BF16 -> new long[] {BFloat16.fromFloat(1f), BFloat16.fromFloat(-2.5f), 0x7f7f, 0x0001, 0x8000,
                    BFloat16.fromFloat(3.0e38f)};
            case FP32 -> floatBits(1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, 1e-30f);
            case FP64 -> new long[] {Double.doubleToRawLongBits(1.5), Double.doubleToRawLongBits(-0.0),
                    Double.doubleToRawLongBits(Double.MIN_VALUE), Double.doubleToRawLongBits(Double.MAX_VALUE),
                    Double.doubleToRawLongBits(Double.POSITIVE_INFINITY), Double.doubleToRawLongBits(1e-300)};
            case BYTES -> new long[6];
        };
    }

    private static final List<byte[]> STRINGS = List.of(new byte[0], "a".getBytes(StandardCharsets.UTF_8),
            new byte[] {0, 1, 2, (byte) 0xff}, "Grüße".getBytes(StandardCharsets.UTF_8), new byte[300], "z".repeat(70000)
                    .getBytes(StandardCharsets.UTF_8));

    private static long[] floatBits(float... f) {
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Float.floatToRawIntBits(f[i]) & 0xffffffffL;
        }
        return out;
    }

    /** The little-endian encoding tritonclient sends (BYTES: 4-byte length, then the bytes). */
    private static ByteString raw(DataType t) {
        if (t == DataType.BYTES) {
            return GrpcRequests.lengthPrefixed(STRINGS);
        }
        long[] v = values(t);
        ByteBuffer b = ByteBuffer.allocate(v.length * t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            switch (t.byteSize()) {
                case 1 -> b.put((byte) x);
                case 2 -> b.putShort((short) x);
                case 4 -> b.putInt((int) x);
                default -> b.putLong(x);
            }
        }
        return ByteString.copyFrom(b.array());
    }

    /** The same values as typed contents, in the field the type travels in. */
    private static InferTensorContents typed(DataType t) {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        if (t == DataType.BYTES) {
            STRINGS.forEach(s -> c.addBytesContents(ByteString.copyFrom(s)));
            return c.build();
        }
        for (long x : values(t)) {
            switch (t) {
                case BOOL -> c.addBoolContents(x != 0);
                case INT8, INT16, INT32 -> c.addIntContents((int) x);
                case UINT8, UINT16, UINT32 -> c.addUintContents((int) x);
                case INT64 -> c.addInt64Contents(x);
                case UINT64 -> c.addUint64Contents(x);
                case FP32 -> c.addFp32Contents(Float.intBitsToFloat((int) x));
                case FP64 -> c.addFp64Contents(Double.longBitsToDouble(x));
                default -> c.addFp32Contents(Float.intBitsToFloat((int) x)); // FP16/BF16 have no typed field
            }
        }
        return c.build();
    }

    private static ModelInferRequest.Builder request(DataType t) {
        return ModelInferRequest.newBuilder().setModelName("echo").addInputs(input("x", t.name(), ROWS, WIDTH));
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void rawAndTypedContentsArriveBitForBit(DataType t) throws Exception {
        try (GrpcHarness h = new GrpcHarness("echo", new EchoModel(t, WIDTH), 1, 16, 30_000)) {
            ModelInferResponse r = h.client.blocking().modelInfer(request(t).addRawInputContents(raw(t)).build());
            assertEquals("y", r.getOutputs(0).getName());
            assertEquals(t.name(), r.getOutputs(0).getDatatype());
            assertEquals(List.of(ROWS, WIDTH), r.getOutputs(0).getShapeList());
            assertEquals(raw(t), r.getRawOutputContents(0), t + " through raw_input_contents");
            if (t == DataType.FP16 || t == DataType.BF16) {
                assertMessage(Status.Code.INVALID_ARGUMENT, t + ", which has no typed contents",
                        () -> h.client.blocking().modelInfer(request(t).setInputs(0, input("x", t.name(), ROWS, WIDTH)
                                .setContents(typed(t))).build()));
                return;
            }
            ModelInferResponse typed = h.client.blocking().modelInfer(request(t).setInputs(0,
                    input("x", t.name(), ROWS, WIDTH).setContents(typed(t))).build());
            assertEquals(raw(t), typed.getRawOutputContents(0), t + " through typed contents");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"INT8", "INT16", "UINT8", "UINT16"})
    void narrowTypedValuesOutOfRangeAreRefused(DataType t) throws Exception {
        try (GrpcHarness h = new GrpcHarness("echo", new EchoModel(t, 1), 1, 16, 30_000)) {
            InferTensorContents.Builder c = InferTensorContents.newBuilder();
            if (t.name().startsWith("U")) {
                c.addUintContents(t == DataType.UINT8 ? 256 : 65536);
            } else {
                c.addIntContents(t == DataType.INT8 ? 128 : -32769);
            }
            assertMessage(Status.Code.INVALID_ARGUMENT, "input 'x' is " + t + " but holds",
                    () -> h.client.blocking().modelInfer(ModelInferRequest.newBuilder().setModelName("echo")
                            .addInputs(input("x", t.name(), 1, 1).setContents(c)).build()));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"INT32", "FP64", "BYTES"})
    void elementsInAnotherTypesFieldAreRefused(DataType t) throws Exception {
        try (GrpcHarness h = new GrpcHarness("echo", new EchoModel(t, 1), 1, 16, 30_000)) {
            InferTensorContents c = InferTensorContents.newBuilder().addFp32Contents(1).build();
            assertMessage(Status.Code.INVALID_ARGUMENT, "input 'x' has shape [1, 1] (1 elements) but contents.",
                    () -> h.client.blocking().modelInfer(ModelInferRequest.newBuilder().setModelName("echo")
                            .addInputs(input("x", t.name(), 1, 1).setContents(c)).build()));
            InferTensorContents both = typed(t).toBuilder().addFp32Contents(1).build();
            assertMessage(Status.Code.INVALID_ARGUMENT, "other fields of contents hold elements too",
                    () -> h.client.blocking().modelInfer(ModelInferRequest.newBuilder().setModelName("echo")
                            .addInputs(input("x", t.name(), 2, 3).setContents(both)).build()));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"BYTES"})
    void malformedLengthPrefixesAreRefused(DataType t) throws Exception {
        try (GrpcHarness h = new GrpcHarness("echo", new EchoModel(t, 2), 1, 16, 30_000)) {
            ByteString oneElement = GrpcRequests.lengthPrefixed(List.of("ab".getBytes(StandardCharsets.UTF_8)));
            assertMessage(Status.Code.INVALID_ARGUMENT, "input 'x': BYTES tensor [1, 2]",
                    () -> h.client.blocking().modelInfer(ModelInferRequest.newBuilder().setModelName("echo")
                            .addInputs(input("x", "BYTES", 1, 2)).addRawInputContents(oneElement).build()));
            ByteString overlong = ByteString.copyFrom(new byte[] {9, 0, 0, 0, 'a'});
            assertMessage(Status.Code.INVALID_ARGUMENT, "says 9 bytes but only 1 follow",
                    () -> h.client.blocking().modelInfer(ModelInferRequest.newBuilder().setModelName("echo")
                            .addInputs(input("x", "BYTES", 1, 1)).addRawInputContents(overlong).build()));
        }
    }
}
