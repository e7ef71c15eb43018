"""What makes the demo park's catalogue trustworthy: a real description (Chinese and English)
for every demo service, a cover photo for every demo provider, and checked credentials for
their practitioners. Idempotent: a description is written only where there is none, a photo
only for a provider without one, a credential only once per practitioner.

The photos are illustrations made for ParkWell with Pillow (flat shapes in the category's
colours, no people, no text), licence CC0; they go through the same upload path as a
provider's own photo (``providers.photos.add_photo``)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from core.accounts.models import Park, ProviderOrganisation
from core.clock import to_zone
from core.db import db
from providers.models import (
    Credential,
    CredentialStatus,
    Practitioner,
    ProviderCategory,
    ProviderCategoryLink,
    ProviderPhoto,
    Service,
)
from providers.photos import add_photo

#: title_en → (description zh, description en)
SERVICE_TEXTS: dict[str, tuple[str, str]] = {
    "TCM constitution assessment": (
        "由主任中医师通过望闻问切辨识九种体质，给出饮食、作息与穴位保健建议，并可安排后续调理。"
        "适合睡眠不好、容易疲劳或想了解自己体质的同事。约30分钟，在园区健康驿站进行。",
        "A chief TCM physician reads your constitution (one of nine types) by looking, "
        "listening, asking and taking the pulse, then advises on diet, rest and acupressure. "
        "For poor sleep, tiredness or simple curiosity. About 30 minutes, at the park station."),
    "Neck and shoulder tuina": (
        "针对久坐办公导致的颈肩僵硬与酸痛，推拿师以滚法、拿法与点穴放松斜方肌和颈部肌群。"
        "45分钟，穿宽松衣物即可；孕期请勿预约。",
        "Tuina for the stiff neck and shoulders of long desk days: rolling, grasping and "
        "point pressure to loosen the trapezius and neck muscles. 45 minutes in loose "
        "clothes; not during pregnancy."),
    "Lower-back tuina": (
        "60分钟腰背推拿，配合热敷，缓解久坐引起的腰肌劳损与下背痛。首次会先做简单评估，"
        "急性外伤或椎间盘突出急性期请先就医。",
        "A 60-minute lower-back tuina with a warm compress, for the strain and ache of long "
        "sitting. The first visit starts with a short assessment; with an acute injury or "
        "disc flare-up, see a doctor first."),
    "Moxibustion session": (
        "温和灸关元、足三里等穴位，温经散寒，帮助改善手脚冰凉与睡眠。40分钟，"
        "全程使用无烟艾条与排烟设备。",
        "Gentle moxibustion on points such as Guanyuan and Zusanli to warm and relax, for "
        "cold hands and feet and better sleep. 40 minutes, with smokeless moxa and "
        "extraction."),
    "Sports injury assessment": (
        "持证物理治疗师一对一评估运动损伤：关节活动度、肌力与动作模式测试，"
        "当场给出康复计划和居家训练动作。请穿运动服，带上既往检查报告。",
        "A licensed physiotherapist assesses your sports injury one to one: range of motion, "
        "strength and movement tests, then a rehabilitation plan and home exercises on the "
        "spot. Wear sportswear and bring any earlier scans."),
    "Post-operative rehabilitation": (
        "骨科术后（膝、肩、踝等）循序渐进的康复训练，每次45分钟。需要医生转诊单，"
        "首次请携带手术记录。",
        "Step-by-step rehabilitation after orthopaedic surgery (knee, shoulder, ankle), "
        "45 minutes each. A doctor's referral is needed; bring your operation notes the "
        "first time."),
    "Lunchtime spine class (group)": (
        "午休45分钟小班脊柱保健操（最多8人）：核心激活、胸椎灵活与颈部放松，"
        "无需器械，穿便装也可参加。",
        "A 45-minute lunchtime class of at most eight: core activation, thoracic mobility "
        "and neck release. No equipment; office clothes are fine."),
    "Individual counselling (video)": (
        "国家二级心理咨询师一对一视频咨询，50分钟，内容严格保密。"
        "首次咨询前请完成简短的情绪问卷，帮助咨询师了解你的情况。",
        "A 50-minute one-to-one video session with a licensed counsellor, strictly "
        "confidential. Before the first session you fill in a short mood questionnaire so "
        "that the counsellor can prepare."),
    "Stress management session": (
        "面对面压力管理咨询：识别压力来源，学习呼吸放松与认知调整方法，"
        "带走一份适合自己的减压计划。50分钟，在咨询中心安静的咨询室进行。",
        "A face-to-face session on stress: find what drives it, learn breathing and "
        "reframing techniques, and leave with a plan of your own. 50 minutes in a quiet "
        "room at the centre."),
    "Group stress-relief workshop": (
        "90分钟团体减压工作坊（最多12人），由EAP顾问带领正念练习与小组分享，免费参加。"
        "内容不涉及个人隐私，可随时离开。",
        "A free 90-minute workshop for up to twelve, led by an EAP consultant: mindfulness "
        "practice and group sharing. Nothing personal is asked, and you may leave at any "
        "time."),
    "Paper-cutting class": (
        "跟随非遗传承人学习传统剪纸，从折剪窗花到完成一幅生肖作品，材料全部提供，"
        "作品可带回家。90分钟，亲子同乐。",
        "Learn traditional paper-cutting with a heritage master, from a folded window "
        "flower to a zodiac picture of your own. Materials provided, and the work is yours "
        "to keep. 90 minutes; children welcome."),
    "Morning Baduanjin": (
        "清晨45分钟八段锦练习，由养生导师带领，动作舒缓，适合各年龄段，"
        "帮助舒展筋骨、开启一天好状态。免费参加，雨天移至室内。",
        "Forty-five minutes of Baduanjin in the morning, led by a wellness teacher: gentle "
        "movements for every age, to stretch and start the day well. Free; indoors when it "
        "rains."),
    "Two-day Moganshan wellness trip": (
        "周末两日莫干山康养之旅：竹林步道、药膳午餐、温泉与太极晨练，含往返大巴与一晚民宿住宿。"
        "预订时支付定金，出发前7天付清余款。",
        "A weekend at Moganshan: bamboo forest walks, a medicinal lunch, hot springs and "
        "morning tai chi, with the coach there and back and one night in a guesthouse. A "
        "deposit when you book; the rest seven days before departure."),
    "Sheshan forest-therapy day": (
        "佘山森林疗愈一日：在认证森林疗愈师带领下慢行、静坐与感官练习，午后茶会收尾。"
        "含往返交通，适合想暂时离开屏幕的你。",
        "A day of forest therapy at Sheshan: slow walking, sitting and sensory practice "
        "with a certified guide, ending with an afternoon tea gathering. Transport "
        "included; for anyone who needs a day away from screens."),
    "Half-day childcare": (
        "园区内半天临时托育（2-6岁），持证保育员看护，含点心与游戏活动。"
        "仅限授权接送人接孩子，请提前登记接送人信息。",
        "Half a day of on-site childcare for ages 2 to 6 with certified carers, snacks and "
        "play included. Only an authorised person may collect the child: register them "
        "beforehand."),
    "Elder-care consultation": (
        "为家中长辈的居家照护答疑：防跌倒、用药管理、照护资源与补贴申请，"
        "45分钟视频咨询，免费，可与家人一起参加。",
        "Advice on caring for an older relative at home: preventing falls, managing "
        "medicines, care services and subsidies. A free 45-minute video call; family "
        "members may join."),
    "Child development check": (
        "0-3岁儿童发育评估：大运动、精细动作、语言与社交发展筛查，"
        "由照护顾问给出养育建议。60分钟，请带上儿童保健手册。",
        "A development check for children up to three: movement, fine motor skills, "
        "language and social development, with advice from a care adviser. 60 minutes; "
        "bring the child health booklet."),
}

#: Category → (background, main, accent) colours of the cover illustrations.
PALETTES = {
    ProviderCategory.TCM: ((232, 243, 236), (11, 107, 79), (207, 230, 216)),
    ProviderCategory.REHABILITATION: ((234, 241, 251), (43, 92, 158), (185, 205, 233)),
    ProviderCategory.COUNSELLING: ((246, 238, 250), (116, 68, 142), (217, 195, 230)),
    ProviderCategory.CULTURE: ((253, 240, 230), (179, 38, 30), (227, 163, 58)),
    ProviderCategory.TRAVEL_WELLNESS: ((231, 244, 247), (31, 111, 127), (156, 207, 217)),
    ProviderCategory.CHILDCARE: ((255, 245, 224), (138, 90, 0), (240, 180, 0)),
    ProviderCategory.ELDERCARE: ((241, 244, 234), (85, 98, 58), (201, 87, 74)),
    ProviderCategory.HEALTH_CHECKUP: ((234, 245, 241), (11, 107, 79), (159, 211, 189)),
}

#: Category → (licence type zh, licence type en, issuer)
LICENCES = {
    ProviderCategory.TCM: ("中医执业医师资格证", "上海市卫生健康委员会"),
    ProviderCategory.REHABILITATION: ("康复治疗师资格证", "国家卫生健康委员会人才交流服务中心"),
    ProviderCategory.COUNSELLING: ("心理咨询师职业资格证书", "人力资源和社会保障部"),
    ProviderCategory.CULTURE: ("非物质文化遗产代表性传承人证书", "上海市文化和旅游局"),
    ProviderCategory.TRAVEL_WELLNESS: ("导游证", "上海市文化和旅游局"),
    ProviderCategory.CHILDCARE: ("保育员职业资格证书", "上海市人力资源和社会保障局"),
    ProviderCategory.ELDERCARE: ("养老护理员职业技能等级证书", "上海市民政局"),
    ProviderCategory.HEALTH_CHECKUP: ("医师执业证书", "上海市卫生健康委员会"),
}


def cover_image(category: ProviderCategory, variant: int = 0) -> bytes:
    """A 960×720 PNG illustration in the category's colours; ``variant`` picks one of three
    scenes (hills and a sun, stones and ripples, arches and a path)."""
    background, main, accent = PALETTES[category]
    image = Image.new("RGB", (960, 720), background)
    draw = ImageDraw.Draw(image)
    scene = variant % 3
    if scene == 0:  # hills and a sun
        draw.ellipse((660, 90, 820, 250), fill=accent)
        draw.polygon([(0, 720), (0, 470), (300, 280), (600, 560), (960, 380), (960, 720)],
                     fill=main)
        draw.polygon([(0, 720), (0, 610), (380, 480), (960, 650), (960, 720)], fill=accent)
    elif scene == 1:  # stones and ripples
        for r in range(5):
            box = (480 - 120 - r * 90, 380 - 40 - r * 30, 480 + 120 + r * 90, 380 + 40 + r * 30)
            draw.ellipse(box, outline=accent, width=10)
        draw.ellipse((330, 300, 630, 460), fill=main)
        draw.ellipse((390, 220, 570, 330), fill=accent)
        draw.ellipse((430, 160, 530, 230), fill=main)
    else:  # arches and a path
        for i, x in enumerate((90, 390, 690)):
            colour = main if i % 2 == 0 else accent
            draw.rounded_rectangle((x, 220, x + 180, 620), radius=90, fill=colour)
            draw.rounded_rectangle((x + 40, 300, x + 140, 620), radius=50, fill=background)
        draw.polygon([(420, 720), (540, 720), (500, 620), (460, 620)], fill=main)
        draw.ellipse((420, 80, 540, 200), fill=accent)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _describe(park: Park) -> None:
    services = db.session.scalars(select(Service).join(Service.provider).where(
        ProviderOrganisation.park_id == park.id))
    for service in services:
        texts = SERVICE_TEXTS.get(service.title_en)
        if texts and not service.description_zh and not service.description_en:
            service.description_zh, service.description_en = texts


def _category(provider: ProviderOrganisation) -> ProviderCategory:
    return db.session.scalar(select(ProviderCategoryLink.category).where(
        ProviderCategoryLink.provider_id == provider.id).order_by(
        ProviderCategoryLink.category)) or ProviderCategory.HEALTH_CHECKUP


def _photos(provider: ProviderOrganisation, category: ProviderCategory, *,
            now: datetime) -> None:
    if db.session.scalar(select(ProviderPhoto.id).where(
            ProviderPhoto.provider_id == provider.id).limit(1)) is not None:
        return
    for n in range(2 if provider.name_en == "Xinglin TCM Clinic" else 1):
        add_photo(provider, cover_image(category, provider.id + n), actor=None,
                  alt_zh=f"{provider.name_zh}的插图", alt_en=f"Illustration of {provider.name_en}",
                  now=now)


def _credentials(provider: ProviderOrganisation, category: ProviderCategory, *,
                 today: date, now: datetime) -> None:
    licence, issuer = LICENCES[category]
    practitioners = db.session.scalars(select(Practitioner).where(
        Practitioner.provider_id == provider.id).order_by(Practitioner.id))
    for n, practitioner in enumerate(practitioners, start=1):
        if db.session.scalar(select(Credential.id).where(
                Credential.practitioner_id == practitioner.id).limit(1)) is not None:
            continue
        db.session.add(Credential(
            provider_id=provider.id, practitioner_id=practitioner.id, licence_type=licence,
            licence_number=f"DEMO-{provider.id:03d}-{n:02d}", issuer=issuer,
            expires_on=today + timedelta(days=730), document=b"%PDF-1.4\n% ParkWell demo\n",
            document_type="application/pdf", document_name="licence-demo.pdf",
            status=CredentialStatus.APPROVED, created_at=now, reviewed_at=now))


def seed_discovery(park: Park, *, now: datetime) -> None:
    """Descriptions, cover photos and checked credentials for the demo park."""
    today = to_zone(now, park.timezone).date()
    _describe(park)
    for provider in db.session.scalars(select(ProviderOrganisation).where(
            ProviderOrganisation.park_id == park.id).order_by(ProviderOrganisation.id)):
        category = _category(provider)
        _photos(provider, category, now=now)
        _credentials(provider, category, today=today, now=now)
    db.session.flush()
