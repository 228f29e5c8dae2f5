// A built-in table of common emoji shortcodes (the names Mattermost uses for its system
// emoji), turned into Unicode when messages are shown, offered by :emoji: autocomplete and
// the reaction picker. Names are the shortcodes without colons.

const TABLE = `
smile 😄|smiley 😃|grinning 😀|blush 😊|relaxed ☺️|wink 😉|heart_eyes 😍|kissing_heart 😘
laughing 😆|satisfied 😆|sweat_smile 😅|joy 😂|rofl 🤣|slightly_smiling_face 🙂|upside_down_face 🙃
innocent 😇|yum 😋|stuck_out_tongue 😛|stuck_out_tongue_winking_eye 😜|sunglasses 😎|nerd_face 🤓
smirk 😏|unamused 😒|disappointed 😞|pensive 😔|worried 😟|confused 😕|slightly_frowning_face 🙁
persevere 😣|confounded 😖|tired_face 😫|weary 😩|cry 😢|sob 😭|triumph 😤|angry 😠|rage 😡
no_mouth 😶|neutral_face 😐|expressionless 😑|hushed 😯|open_mouth 😮|astonished 😲|flushed 😳
scream 😱|fearful 😨|cold_sweat 😰|sleepy 😪|sleeping 😴|mask 😷|thinking 🤔|thinking_face 🤔
face_with_rolling_eyes 🙄|rolling_eyes 🙄|zipper_mouth_face 🤐|hugs 🤗|hugging_face 🤗|star_struck 🤩
partying_face 🥳|exploding_head 🤯|shushing_face 🤫|monocle_face 🧐|yawning_face 🥱|smiling_face_with_tear 🥲
wave 👋|raised_hand ✋|hand ✋|ok_hand 👌|+1 👍|thumbsup 👍|-1 👎|thumbsdown 👎|clap 👏|pray 🙏
raised_hands 🙌|muscle 💪|point_up 👆|point_down 👇|point_left 👈|point_right 👉|fist 👊|punch 👊
v ✌️|crossed_fingers 🤞|metal 🤘|call_me_hand 🤙|writing_hand ✍️|handshake 🤝|eyes 👀|brain 🧠
heart ❤️|orange_heart 🧡|yellow_heart 💛|green_heart 💚|blue_heart 💙|purple_heart 💜|black_heart 🖤
broken_heart 💔|sparkling_heart 💖|two_hearts 💕|100 💯|fire 🔥|sparkles ✨|star ⭐|star2 🌟|zap ⚡
boom 💥|collision 💥|tada 🎉|confetti_ball 🎊|balloon 🎈|gift 🎁|trophy 🏆|medal 🏅|rocket 🚀
white_check_mark ✅|heavy_check_mark ✔️|x ❌|warning ⚠️|no_entry 🚫|question ❓|exclamation ❗
bangbang ‼️|bulb 💡|memo 📝|pencil 📝|pencil2 ✏️|book 📖|books 📚|bookmark 🔖|link 🔗|paperclip 📎
pushpin 📌|round_pushpin 📍|calendar 📅|date 📅|clock1 🕐|hourglass ⌛|alarm_clock ⏰|stopwatch ⏱️
lock 🔒|unlock 🔓|key 🔑|hammer 🔨|wrench 🔧|gear ⚙️|mag 🔍|bell 🔔|no_bell 🔕|loudspeaker 📢|mega 📣
email 📧|envelope ✉️|inbox_tray 📥|outbox_tray 📤|package 📦|chart_with_upwards_trend 📈
chart_with_downwards_trend 📉|bar_chart 📊|clipboard 📋|file_folder 📁|computer 💻|keyboard ⌨️
iphone 📱|phone ☎️|camera 📷|tv 📺|bug 🐛|beetle 🐞|robot 🤖|ghost 👻|skull 💀|alien 👽|poop 💩|hankey 💩
coffee ☕|tea 🍵|beer 🍺|beers 🍻|wine_glass 🍷|pizza 🍕|hamburger 🍔|fries 🍟|taco 🌮|cake 🍰
birthday 🎂|cookie 🍪|doughnut 🍩|apple 🍎|banana 🍌|avocado 🥑|popcorn 🍿|sun_with_face 🌞
sunny ☀️|cloud ☁️|umbrella ☔|snowflake ❄️|rainbow 🌈|ocean 🌊|earth_africa 🌍|globe_with_meridians 🌐
dog 🐶|cat 🐱|mouse 🐭|rabbit 🐰|fox_face 🦊|bear 🐻|panda_face 🐼|koala 🐨|tiger 🐯|lion 🦁
cow 🐮|pig 🐷|frog 🐸|monkey 🐒|see_no_evil 🙈|hear_no_evil 🙉|speak_no_evil 🙊|chicken 🐔
penguin 🐧|bird 🐦|owl 🦉|unicorn 🦄|bee 🐝|honeybee 🐝|butterfly 🦋|snail 🐌|octopus 🐙|crab 🦀
whale 🐳|dolphin 🐬|fish 🐟|turtle 🐢|snake 🐍|dragon 🐉|cactus 🌵|evergreen_tree 🌲|deciduous_tree 🌳
seedling 🌱|herb 🌿|four_leaf_clover 🍀|maple_leaf 🍁|fallen_leaf 🍂|rose 🌹|sunflower 🌻|tulip 🌷
house 🏠|office 🏢|car 🚗|bike 🚲|airplane ✈️|ship 🚢|train 🚆|construction 🚧|checkered_flag 🏁
soccer ⚽|basketball 🏀|football 🏈|tennis 🎾|video_game 🎮|game_die 🎲|dart 🎯|art 🎨|guitar 🎸
musical_note 🎵|notes 🎶|headphones 🎧|microphone 🎤|movie_camera 🎥|moneybag 💰|dollar 💵|gem 💎
crown 👑|ring 💍|zzz 💤|sweat_drops 💦|dash 💨|speech_balloon 💬|thought_balloon 💭|arrow_up ⬆️
arrow_down ⬇️|arrow_left ⬅️|arrow_right ➡️|arrows_counterclockwise 🔄|recycle ♻️|infinity ♾️
heavy_plus_sign ➕|heavy_minus_sign ➖|copyright ©️|registered ®️|tm ™️|information_source ℹ️
red_circle 🔴|large_blue_circle 🔵|green_circle 🟢|white_circle ⚪|black_circle ⚫|stop_sign 🛑
facepalm 🤦|shrug 🤷|man_shrugging 🤷‍♂️|woman_shrugging 🤷‍♀️|ok_woman 🙆|raising_hand 🙋|bow 🙇
`;

export interface Emoji {
    name: string;
    char: string;
}

export const EMOJI: Emoji[] = TABLE.split(/[|\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
        const space = entry.indexOf(' ');
        return {name: entry.slice(0, space), char: entry.slice(space + 1)};
    });

const BY_NAME = new Map(EMOJI.map((e) => [e.name, e.char]));

/** The Unicode character for a shortcode name (without colons), or undefined. */
export function emojiChar(name: string): string | undefined {
    return BY_NAME.get(name.toLowerCase());
}

/** Replaces every known `:name:` in plain text by its character; unknown ones stay. */
export function replaceShortcodes(text: string): string {
    return text.replace(/:([a-z0-9_+-]+):/gi, (whole, name: string) => BY_NAME.get(name.toLowerCase()) ?? whole);
}

/** Emoji whose name starts with the prefix first, then those containing it; unique by character. */
export function searchEmoji(prefix: string, limit = 8): Emoji[] {
    const p = prefix.toLowerCase();
    const starts: Emoji[] = [];
    const contains: Emoji[] = [];
    for (const e of EMOJI) {
        if (e.name.startsWith(p)) {
            starts.push(e);
        } else if (p && e.name.includes(p)) {
            contains.push(e);
        }
    }
    starts.sort((a, b) => Number(b.name === p) - Number(a.name === p));
    const seen = new Set<string>();
    return [...starts, ...contains].filter((e) => !seen.has(e.char) && seen.add(e.char)).slice(0, limit);
}

/** The emoji offered first in the reaction picker. */
export const QUICK_REACTIONS = ['+1', 'smile', 'heart', 'tada', 'eyes', 'white_check_mark', 'joy', 'pray'];
