"""Vietnamese function words and phrases: never a key phrase, never half of a word pair.

Written as underthesea segments them (lower case, syllables joined by a space), from our report texts:
what links, counts or qualifies rather than names what a unit did.
"""

FUNCTION_WORDS = frozenset({
    # relations and particles
    "của", "và", "các", "những", "được", "bị", "đã", "đang", "sẽ", "vẫn", "còn", "có", "là", "thì", "mà",
    "cho", "với", "theo", "về", "trong", "ngoài", "trên", "dưới", "giữa", "tại", "từ", "đến", "tới", "để",
    "vào", "ra", "lên", "xuống", "qua", "lại", "nhằm", "bằng", "như", "do", "vì", "bởi", "nên", "nếu",
    "khi", "lúc", "sau", "trước", "này", "đó", "kia", "ấy", "nào", "gì", "ai", "đâu", "việc", "sự", "cái",
    "nhưng", "song", "hoặc", "hay", "cũng", "đều", "rất", "hơn", "nhất", "quá", "khá", "chưa", "không",
    "chẳng", "đi", "ở", "cả", "mọi", "mỗi", "từng", "cùng", "luôn", "ngay", "chỉ", "nhiều", "ít", "một",
    "hai", "ba", "bốn", "năm", "hằng", "hàng", "thêm", "nữa", "rồi", "vừa", "mới", "đây", "ngày", "tháng",
    "lần", "số", "phần", "điều", "thế", "vậy", "tuy", "dù", "cần", "phải", "nhờ", "tuy là",
    # phrases the segmenter keeps whole
    "tuy nhiên", "bên cạnh", "bên cạnh đó", "cạnh đó", "ngoài ra", "đồng thời", "vì vậy", "do đó", "vì thế",
    "chính vì vậy", "bởi vì", "cho nên", "trong khi", "mặc dù", "thế nhưng", "nhìn chung", "nói chung",
    "có thể", "một số", "đa số", "phần lớn", "hầu hết", "tất cả", "trong đó", "bao gồm", "thông qua",
    "cụ thể", "như vậy", "nhất là", "đặc biệt", "hiện nay", "thời gian", "vừa qua", "tiếp tục", "bên trong",
    "các cấp", "nhiều lần", "một cách", "bởi vậy", "tuy vậy", "dẫn đến", "nhằm mục đích", "sau đó",
    "trước đó", "từ đó", "khi đó", "lúc đó", "hơn nữa", "mặt khác", "chẳng hạn", "ví dụ", "đôi khi",
    "có lúc", "có khi", "đôi lúc", "thường", "trên đây", "dưới đây", "sau đây", "như sau",
})
