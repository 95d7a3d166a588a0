package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Detects the format of one model file or one model folder, by content first and extension second.
 *
 * <p>A folder is a SavedModel when it holds {@code saved_model.pb}, a TF checkpoint folder when it holds
 * checkpoint files (a frozen {@code .pb} exported beside them is ignored and said so), else the one model
 * file in it. Wrapper folders and version folders are {@link ModelLocator}'s business, not this class's.
 */
public final class FormatDetector {
    /**
     * What one file's content says it is, without any folder context: empty when it is not a model file.
     * Lets the unpacker tell a TorchScript or .keras zip (a model) from a zip archive of a model.
     */
    public static java.util.Optional<ModelFormat> fileFormat(Path file) throws IOException {
        return java.util.Optional.ofNullable(FileSniffer.sniff(file).format());
    }

    /** Detects the format of {@code path} (a file or a folder). */
    public Detection detect(Path path) throws ModelLoadException {
        return detect(path, null);
    }

    /**
     * @param override the {@code MODEL_FORMAT} setting, or null to detect. An override is trusted (it is how
     *                 a file that detection gets wrong is still served) but the reason records what the
     *                 content looked like.
     */
    public Detection detect(Path path, ModelFormat override) throws ModelLoadException {
        try {
            if (!Files.exists(path)) {
                throw new UnrecognizedModelException("model path " + path + " does not exist");
            }
            if (override != null && !override.servable()) {
                throw new UnsupportedModelFormatException(override, path, "declared by MODEL_FORMAT as " + override.id());
            }
            if (Files.isDirectory(path)) {
                FolderContents c = FolderContents.scan(path);
                return override == null ? detectFolder(c) : overrideFolder(c, override);
            }
            return detectFile(path, override);
        } catch (IOException e) {
            throw new UnrecognizedModelException("cannot read " + path + ": " + e);
        } catch (UncheckedIOException e) {
            throw new UnrecognizedModelException("cannot read " + path + ": " + e.getCause());
        }
    }

    private Detection detectFile(Path file, ModelFormat override) throws IOException, ModelLoadException {
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        // A file that belongs to a folder-level model stands for its folder.
        List<CheckpointSteps.Checkpoint> checkpoints = CheckpointSteps.list(dir);
        boolean checkpointPart = CheckpointSteps.isCheckpointFile(name, checkpoints) && !checkpoints.isEmpty();
        if (override != null) {
            Sniff s = FileSniffer.sniff(file);
            Path target = switch (override) {
                case SAVED_MODEL -> requireSavedModelFolder(dir);
                case TF_CHECKPOINT -> dir;
                default -> file;
            };
            return new Detection(override, target, overrideReason(override, s));
        }
        if (checkpointPart) {
            return checkpointDetection(dir, checkpoints, List.of());
        }
        Sniff s = FileSniffer.sniff(file);
        if (s.format() == ModelFormat.SAVED_MODEL) {
            return new Detection(ModelFormat.SAVED_MODEL, dir, savedModelReason(file, s));
        }
        if (s.servable()) {
            return new Detection(s.format(), file, s.reason());
        }
        if (s.isModel()) {
            throw new UnsupportedModelFormatException(s.format(), file, s.reason());
        }
        throw new UnrecognizedModelException("no model recognised in " + file + ": it is " + s.reason()
                + " (" + Files.size(file) + " bytes). " + supportedHint());
    }

    Detection detectFolder(FolderContents c) throws IOException, ModelLoadException {
        if (c.isSavedModel()) {
            Sniff s = FileSniffer.sniff(c.savedModelFile);
            if (!s.isModel()) {
                throw new UnrecognizedModelException(c.savedModelFile + " is not a SavedModel: " + s.reason());
            }
            return new Detection(ModelFormat.SAVED_MODEL, c.dir, savedModelReason(c.savedModelFile, s));
        }
        List<Sniff> servable = new ArrayList<>(c.files.stream().filter(Sniff::servable).toList());
        List<Sniff> unsupported = c.files.stream().filter(s -> s.isModel() && !s.servable()).toList();
        if (c.hasCheckpoint()) {
            // A frozen graph beside the checkpoint is an export of the same model (dl4j, tf2onnx layouts).
            List<Sniff> frozen = servable.stream().filter(s -> s.format() == ModelFormat.FROZEN_GRAPH).toList();
            servable.removeAll(frozen);
            if (servable.isEmpty()) {
                return checkpointDetection(c.dir, c.checkpoints, frozen);
            }
            List<String> all = new ArrayList<>();
            all.add(c.dir.getFileName() + "/ (TF checkpoint " + prefixes(c.checkpoints) + ")");
            servable.forEach(s -> all.add(s.file().getFileName() + " (" + s.format().id() + ")"));
            throw ambiguous(c.dir, all);
        }
        if (servable.size() > 1) {
            // A weights-only H5 next to a whole-model H5 is a training by-product, not a second model.
            boolean hasFullH5 = servable.stream().anyMatch(s -> s.format() == ModelFormat.KERAS_H5 && !s.weightsOnly());
            if (hasFullH5) {
                servable.removeIf(Sniff::weightsOnly);
            }
        }
        if (servable.size() == 1) {
            Sniff s = servable.get(0);
            String also = unsupported.isEmpty() ? "" : "; ignored " + unsupported.stream()
                    .map(u -> u.file().getFileName() + " (" + u.format().id() + ")").collect(Collectors.joining(", "));
            return new Detection(s.format(), s.file(), s.reason() + also);
        }
        if (servable.size() > 1) {
            throw ambiguous(c.dir, servable.stream()
                    .map(s -> s.file().getFileName() + " (" + s.format().id() + ")").toList());
        }
        if (!unsupported.isEmpty()) {
            Sniff u = unsupported.get(0);
            throw new UnsupportedModelFormatException(u.format(), u.file(), u.reason());
        }
        throw unrecognized(c);
    }

    private Detection overrideFolder(FolderContents c, ModelFormat override) throws IOException, ModelLoadException {
        switch (override) {
            case SAVED_MODEL -> {
                Path dir = requireSavedModelFolder(c.dir);
                return new Detection(override, dir, overrideReason(override, FileSniffer.sniff(c.savedModelFile)));
            }
            case TF_CHECKPOINT -> {
                if (!c.hasCheckpoint()) {
                    throw new UnrecognizedModelException("MODEL_FORMAT=" + override.id() + " but " + c.dir
                            + " holds no checkpoint (.index, or .meta with V1 data). Found: " + c.describeFiles());
                }
                return new Detection(override, c.dir, overrideReason(override,
                        new Sniff(c.dir, ModelFormat.TF_CHECKPOINT, "checkpoints " + prefixes(c.checkpoints))));
            }
            default -> {
                List<Sniff> same = c.files.stream().filter(s -> s.format() == override).toList();
                if (same.isEmpty()) {
                    same = c.files.stream().filter(s -> extensionsOf(override)
                            .contains(FileSniffer.extension(s.file().getFileName().toString()))).toList();
                }
                if (same.size() == 1) {
                    return new Detection(override, same.get(0).file(), overrideReason(override, same.get(0)));
                }
                if (same.size() > 1) {
                    throw ambiguous(c.dir, same.stream().map(s -> s.file().getFileName().toString()).toList());
                }
                throw new UnrecognizedModelException("MODEL_FORMAT=" + override.id() + " but no " + override.id()
                        + " file (" + String.join(", ", extensionsOf(override)) + ") in " + c.dir
                        + ". Found: " + c.describeFiles());
            }
        }
    }

    private static Path requireSavedModelFolder(Path dir) throws ModelLoadException {
        if (Files.isRegularFile(dir.resolve("saved_model.pb")) || Files.isRegularFile(dir.resolve("saved_model.pbtxt"))) {
            return dir;
        }
        throw new UnrecognizedModelException("MODEL_FORMAT=" + ModelFormat.SAVED_MODEL.id() + " but " + dir
                + " holds no saved_model.pb");
    }

    static Detection checkpointDetection(Path dir, List<CheckpointSteps.Checkpoint> checkpoints, List<Sniff> ignored)
            throws IOException {
        CheckpointSteps.Checkpoint latest = CheckpointSteps.latest(dir).orElseThrow();
        StringBuilder reason = new StringBuilder("a TF checkpoint: ");
        reason.append(checkpoints.size() == 1 ? "one checkpoint" : checkpoints.size() + " checkpoints")
                .append(", newest ").append(latest.prefix().getFileName());
        if (latest.step() >= 0) {
            reason.append(" (step ").append(latest.step()).append(')');
        }
        reason.append(latest.hasMeta() ? ", graph in " + latest.meta().getFileName() : ", no .meta graph");
        if (!ignored.isEmpty()) {
            reason.append("; ignored the exported graph ")
                    .append(ignored.stream().map(s -> s.file().getFileName().toString()).collect(Collectors.joining(", ")))
                    .append(" (MODEL_FILE picks it instead)");
        }
        return new Detection(ModelFormat.TF_CHECKPOINT, dir, reason.toString());
    }

    private static String savedModelReason(Path file, Sniff s) {
        Path vars = file.resolveSibling("variables");
        return s.reason() + " in " + file.getFileName() + (Files.isDirectory(vars) ? " with variables/" : " without variables/");
    }

    private static String overrideReason(ModelFormat override, Sniff s) {
        if (s.format() == override) {
            return "MODEL_FORMAT=" + override.id() + " (content agrees: " + s.reason() + ")";
        }
        return "MODEL_FORMAT=" + override.id() + " overrides detection (content: " + s.reason() + ")";
    }

    private static String prefixes(List<CheckpointSteps.Checkpoint> cps) {
        return cps.stream().map(c -> c.prefix().getFileName().toString()).collect(Collectors.joining(", ", "[", "]"));
    }

    static List<String> extensionsOf(ModelFormat f) {
        return switch (f) {
            case ONNX -> List.of("onnx");
            case TORCHSCRIPT -> List.of("pt", "pth", "pt1", "torchscript", "zip");
            case KERAS_H5 -> List.of("h5", "hdf5");
            case FROZEN_GRAPH -> List.of("pb");
            case KERAS_V3 -> List.of("keras");
            case TFLITE -> List.of("tflite");
            case PMML -> List.of("pmml", "xml");
            case PYTORCH_PICKLE -> List.of("pt", "pth", "pkl", "bin");
            default -> List.of();
        };
    }

    private static AmbiguousModelException ambiguous(Path dir, List<String> candidates) {
        return new AmbiguousModelException("several models in " + dir + ": " + String.join(", ", candidates)
                + ". Set MODEL_FILE to the one to serve.", candidates);
    }

    static UnrecognizedModelException unrecognized(FolderContents c) throws IOException {
        List<String> found = c.describeFiles();
        return new UnrecognizedModelException("no model recognised in " + c.dir + "; found "
                + (found.isEmpty() ? "nothing (empty folder)" : String.join("; ", found)) + ". " + supportedHint());
    }

    static String supportedHint() {
        return "Expected an ONNX model, a TorchScript archive, a Keras H5 model, a SavedModel folder, "
                + "a frozen GraphDef .pb, a TF checkpoint folder or a PMML document.";
    }
}
