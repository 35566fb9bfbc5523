"""Zoo models written here in PyTorch. Initialisation is seeded, so every build is identical.

Random weights alone give degenerate outputs: batch norm with its default statistics lets
activations vanish, and the head's bias then decides every prediction. Each model is therefore
settled on seeded inputs: batch-norm statistics are measured, and the head is rescaled so that
every logit has zero mean and unit spread over those inputs. Outputs then depend on the input,
which is what parity checks and int8 calibration need.
"""

from __future__ import annotations

import torch
from torch import nn

from harness.models.settled import build_settled, settled_weights

SEED = 20261124


SETTLING_BATCH = 32


def _seeded(build, input_shape: tuple[int, ...]):
    def settle(model: nn.Module) -> None:
        _init_weights(model)
        _settle(model, torch.randn(SETTLING_BATCH, *input_shape))

    def factory() -> nn.Module:
        kept = settled_weights(build.__name__, __file__, torch.__version__, ".pt")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(SEED)
            model = build_settled(kept, build, _load_state, settle, lambda m, path: torch.save(m.state_dict(), path))
        return model.eval()

    factory.__name__ = build.__name__
    factory.__doc__ = build.__doc__
    return factory


def _load_state(model: nn.Module, path) -> None:
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))


def _init_weights(model: nn.Module) -> None:
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
        if isinstance(module, (nn.Conv2d, nn.Linear)) and module.bias is not None:
            nn.init.uniform_(module.bias, -0.1, 0.1)


@torch.no_grad()
def _settle(model: nn.Module, inputs: torch.Tensor) -> None:
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None  # a cumulative average: one pass sets the statistics of this batch
    model.train()
    model(inputs)
    model.eval()
    head = [module for module in model.modules() if isinstance(module, nn.Linear)][-1]
    features = []
    handle = head.register_forward_hook(lambda _module, args, _output: features.append(args[0]))
    model(inputs)
    handle.remove()
    logits = head(features[0])
    scale = logits.std(dim=0).clamp_min(1e-6)
    head.weight /= scale[:, None]
    head.bias.copy_((head.bias - logits.mean(dim=0)) / scale)


def _conv_bn(in_ch: int, out_ch: int, stride: int = 1, groups: int = 1, kernel: int = 3, act: bool = True):
    layers = [nn.Conv2d(in_ch, out_ch, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(out_ch)]
    return nn.Sequential(*layers, nn.ReLU6()) if act else nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, in_ch: int, out_ch: int, stride: int, expand: int):
        super().__init__()
        hidden = in_ch * expand
        layers = [_conv_bn(in_ch, hidden, kernel=1)] if expand != 1 else []
        layers += [_conv_bn(hidden, hidden, stride, groups=hidden), _conv_bn(hidden, out_ch, kernel=1, act=False)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and in_ch == out_ch

    def forward(self, x):
        return x + self.block(x) if self.residual else self.block(x)


class MobileNetV2(nn.Module):
    # (expansion, channels, repeats, stride), from the paper's Table 2.
    SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        layers, in_ch = [_conv_bn(3, 32, stride=2)], 32
        for expand, channels, repeats, stride in self.SETTINGS:
            for i in range(repeats):
                layers.append(InvertedResidual(in_ch, channels, stride if i == 0 else 1, expand))
                in_ch = channels
        layers.append(_conv_bn(in_ch, 1280, kernel=1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(1280, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).mean(dim=(2, 3)))


class BasicBlock(nn.Module):
    def __init__(self, in_ch: int, out_ch: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_ch != out_ch:
            self.shortcut = nn.Sequential(nn.Conv2d(in_ch, out_ch, 1, stride, bias=False), nn.BatchNorm2d(out_ch))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class ResNet18(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        blocks, in_ch = [], 64
        for out_ch, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            blocks += [BasicBlock(in_ch, out_ch, stride), BasicBlock(out_ch, out_ch, 1)]
            in_ch = out_ch
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        return self.fc(self.blocks(self.stem(x)).mean(dim=(2, 3)))


class EncoderLayer(nn.Module):
    """Pre-norm self-attention block, written out so that every exporter sees plain operators."""

    def __init__(self, dim: int, heads: int, ffn: int):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.ffn = nn.Sequential(nn.Linear(dim, ffn), nn.GELU(), nn.Linear(ffn, dim))

    def forward(self, x):
        batch, length, dim = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(batch, length, 3, self.heads, dim // self.heads).permute(2, 0, 3, 1, 4)
        weights = torch.softmax(q @ k.transpose(-2, -1) * (dim // self.heads) ** -0.5, dim=-1)
        x = x + self.proj((weights @ v).transpose(1, 2).reshape(batch, length, dim))
        return x + self.ffn(self.norm2(x))


class TransformerEncoder(nn.Module):
    def __init__(self, dim: int = 128, heads: int = 4, layers: int = 4, ffn: int = 512, num_classes: int = 10):
        super().__init__()
        self.layers = nn.Sequential(*(EncoderLayer(dim, heads, ffn) for _ in range(layers)))
        self.norm, self.head = nn.LayerNorm(dim), nn.Linear(dim, num_classes)

    def forward(self, x):
        return self.head(self.norm(self.layers(x)).mean(dim=1))


class GRUClassifier(nn.Module):
    def __init__(self, features: int = 40, hidden: int = 128, layers: int = 2, num_classes: int = 12):
        super().__init__()
        self.gru = nn.GRU(features, hidden, layers, batch_first=True)
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


# Input shapes without the batch dimension; harness.models.zoo declares the same ones.
mobilenet_v2 = _seeded(MobileNetV2, (3, 224, 224))
resnet18 = _seeded(ResNet18, (3, 224, 224))
transformer_encoder = _seeded(TransformerEncoder, (64, 128))
gru = _seeded(GRUClassifier, (50, 40))
