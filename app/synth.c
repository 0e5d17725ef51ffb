#include "synth.h"
#include "synth_housing.h"
#include "synth_needs.h"
#include "../core/calendar.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* splitmix64: small, fast, and the same everywhere (never rand()). */
static uint64_t
next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static long
rnd(uint64_t *s, long n)
{
    return n > 0 ? (long)(next_u64(s) % (uint64_t)n) : 0;
}

/* 1 with probability per_mille / 1000. */
static int
chance(uint64_t *s, int per_mille)
{
    return rnd(s, 1000) < per_mille;
}

/*
 * An index into a list of names kept most common first: 70 % of draws
 * uniform, 30 % skewed to the front (x^2 of a uniform x), so the first
 * names of each list are several times as common as the last, as real
 * names are (Smith, Jones; Muhammad; Singh and Kaur; Nguyen). Integer
 * arithmetic only, so every platform draws the same.
 */
static long
pick(uint64_t *s, long n)
{
    uint64_t r = next_u64(s), x;

    if (n <= 1)
        return 0;
    if ((r & 1023) >= 307)
        return (long)((r >> 10) % (uint64_t)n);
    x = r >> 32;
    x = (x * x) >> 32;
    return (long)((x * (uint64_t)n) >> 32);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Names by naming convention. Each entry is one name as the people who
 * carry it spell it, '|' between the spellings systems record for the
 * same person: transliterations (Muhammad|Mohammed), particles written
 * apart, together or dropped (Al-Hassan|Al Hassan|Alhassan|Hassan),
 * Welsh and Irish forms and their English ones (Dafydd|David), Cantonese
 * and Mandarin romanisations (Chan|Chen), short forms used as the name
 * (Oluwaseun|Seun). Accented letters are written as the person writes
 * them; systems that drop accents fold them (fold_ascii), so Siân|Sian
 * needs no second spelling. Lists are most common first (see pick()).
 */

static const char *const english_m[] = {
    "John", "David", "Michael", "James", "Paul", "Oliver", "George",
    "Noah", "Arthur", "Leo", "Oscar", "Harry", "Archie", "Jack",
    "William", "Robert", "Thomas", "Daniel", "Samuel", "Edward",
    "Richard", "Joseph", "Charles", "Christopher", "Andrew", "Nicholas",
    "Matthew", "Anthony", "Stephen|Steven", "Peter", "Kenneth",
    "Alexander", "Frederick", "Henry", "Albert", "Timothy",
    "Philip|Phillip", "Raymond", "Joshua", "Jonathan|Johnathan",
    "Geoffrey|Jeffrey", "Alan|Allan|Allen", "Brian|Bryan", "Graham|Graeme",
    "Nathan", "Benjamin", "Luke", "Adam", "Simon", "Gary"};
static const char *const english_f[] = {
    "Sarah|Sara", "Susan", "Olivia", "Amelia", "Isla", "Ava", "Mia",
    "Ivy", "Lily|Lilly", "Isabella", "Rosie", "Sophia|Sofia", "Grace",
    "Freya", "Florence", "Willow", "Evie", "Elizabeth", "Margaret",
    "Katherine|Catherine|Kathryn", "Patricia", "Deborah|Debra",
    "Jennifer", "Victoria", "Eleanor|Elinor", "Abigail", "Zoë|Zoe",
    "Chloe|Chloë", "Anne-Marie|Anne Marie|Annemarie", "Joanne|Joann",
    "Louise", "Dorothy", "Valerie", "Amanda", "Jessica", "Alexandra",
    "Frances", "Hannah", "Ruth", "Megan|Meghan", "Rebecca|Rebekah",
    "Emma", "Charlotte", "Emily", "Lucy", "Laura", "Rachel", "Helen",
    "Claire|Clare", "Natalie"};
static const char *const english_s[] = {
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans",
    "Wilson", "Thomas", "Johnson", "Roberts", "Robinson", "Thompson",
    "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke|Clark", "Jackson", "Wood", "Turner",
    "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips",
    "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths",
    "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey",
    "Collins", "Bell", "Shaw", "Miller", "Cox", "Richards", "Marshall",
    "Anderson", "Simpson", "Ellis", "Adams", "Wilkinson", "Foster",
    "Chapman", "Powell", "Webb", "Rogers", "Gray|Grey", "Mason", "Hunt",
    "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight",
    "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens",
    "Jenkins", "Dixon", "Harvey", "Ashworth", "Pemberton"};

static const char *const welsh_m[] = {
    "Dafydd|David", "Rhys|Rees|Reece", "Gareth", "Iwan|Ifan|Evan",
    "Owain|Owen", "Huw|Hugh", "Gruffydd|Gruffudd|Griffith", "Aled",
    "Dylan", "Llewelyn|Llywelyn|Llewellyn", "Emyr", "Geraint",
    "Siôn|Sion|John", "Tomos|Thomas", "Ieuan|Evan", "Osian", "Cai|Kai",
    "Gethin", "Rhodri", "Idris"};
static const char *const welsh_f[] = {
    "Siân|Sian|Shan", "Cerys", "Carys", "Ffion", "Bethan", "Rhiannon",
    "Eleri", "Angharad", "Elin|Ellen", "Catrin|Catherine", "Megan",
    "Gwen", "Seren", "Lowri|Laura", "Mared", "Nia", "Heledd", "Sioned",
    "Mererid", "Tegan"};
static const char *const welsh_s[] = {
    "Jones", "Davies|Davis", "Williams", "Evans", "Thomas", "Roberts",
    "Hughes", "Lewis", "Morgan", "Griffiths|Griffith", "Price|Pryce",
    "Lloyd", "Rees|Reese", "Parry", "Pritchard", "Powell", "Vaughan",
    "Llywelyn|Llewellyn|Llewelyn", "Bowen", "Howells|Howell",
    "Jenkins", "Owen|Owens", "Pugh", "Prosser", "Rowlands"};

static const char *const scottish_m[] = {
    "Callum|Calum", "Iain|Ian", "Alasdair|Alastair|Alistair", "Hamish",
    "Euan|Ewan|Ewen", "Fraser", "Lachlan", "Angus", "Ruairidh|Rory",
    "Craig", "Murdo", "Finlay|Findlay", "Duncan", "Gregor", "Struan",
    "Kenneth", "Ross", "Douglas", "Malcolm", "Neil|Niall"};
static const char *const scottish_f[] = {
    "Mhairi|Vari", "Eilidh|Ailie", "Kirsty|Kirstie", "Ailsa", "Isla",
    "Catriona|Katrina", "Morag", "Fiona", "Iona", "Shona", "Moira",
    "Kirsteen", "Elspeth", "Isobel|Isabel", "Rhona", "Lorna", "Heather",
    "Kathleen", "Margaret", "Jean"};
static const char *const scottish_s[] = {
    "MacDonald|McDonald|Macdonald|Mc Donald", "Campbell",
    "Stewart|Stuart", "Robertson", "Murray", "MacLeod|McLeod|Macleod",
    "MacKenzie|McKenzie|Mackenzie", "Fraser|Frazer", "Ross",
    "McGregor|MacGregor|Macgregor", "Grant", "Henderson",
    "Paterson|Patterson", "Ferguson", "MacKay|McKay|Mackay",
    "McLean|MacLean|Maclean", "Sinclair", "Buchanan", "Morrison",
    "Kerr|Ker", "McIntyre|MacIntyre", "Cameron"};

static const char *const irish_m[] = {
    "Seán|Sean|Shaun|Shawn", "Ciarán|Ciaran|Kieran", "Eoin|Owen",
    "Pádraig|Padraig|Patrick", "Oisín|Oisin", "Conor|Connor",
    "Cian|Kian", "Darragh|Dara", "Diarmuid|Dermot", "Tadhg|Teague",
    "Liam", "Cillian|Killian", "Ronan", "Declan", "Fionn|Finn", "Colm",
    "Séamus|Seamus|James", "Éamonn|Eamonn|Eamon", "Dónal|Donal",
    "Aodhán|Aodhan|Aidan"};
static const char *const irish_f[] = {
    "Niamh|Neve", "Aoife|Eva", "Siobhán|Siobhan", "Caoimhe|Keeva",
    "Saoirse", "Róisín|Roisin", "Gráinne|Grainne", "Aisling|Ashling",
    "Orla|Orlagh", "Clodagh", "Sinéad|Sinead", "Máire|Maire|Maura",
    "Bríd|Brid|Bridget", "Ciara|Kiara", "Deirdre", "Eimear|Emer",
    "Sorcha", "Nuala", "Úna|Una|Oona", "Méabh|Meabh|Maeve"};
/* Irish surnames have women's forms in Irish (Ó Briain, Ní Bhriain). */
static const char *const irish_s[] = {
    "Murphy", "Kelly", "O'Brien|OBrien|O Brien|Ó Briain",
    "O'Sullivan|OSullivan|O Sullivan|Ó Súilleabháin", "Walsh",
    "O'Neill|ONeill|O Neill|Ó Néill", "Byrne", "Ryan",
    "O'Connor|OConnor|O Connor|Ó Conchúir", "McCarthy|MacCarthy|Mc Carthy",
    "Doyle", "Gallagher|Gallacher", "Kennedy", "Lynch", "Quinn",
    "O'Donnell|ODonnell|O Donnell|Ó Dónaill", "Brennan", "Fitzgerald",
    "McLoughlin|McLaughlin|MacLochlainn", "O'Reilly|OReilly|O Reilly|Ó Raghallaigh"};
static const char *const irish_s_f[] = {
    "Murphy", "Kelly", "O'Brien|OBrien|O Brien|Ní Bhriain",
    "O'Sullivan|OSullivan|O Sullivan|Ní Shúilleabháin", "Walsh",
    "O'Neill|ONeill|O Neill|Ní Néill", "Byrne", "Ryan",
    "O'Connor|OConnor|O Connor|Ní Chonchúir", "McCarthy|MacCarthy|Mc Carthy",
    "Doyle", "Gallagher|Gallacher", "Kennedy", "Lynch", "Quinn",
    "O'Donnell|ODonnell|O Donnell|Ní Dhónaill", "Brennan", "Fitzgerald",
    "McLoughlin|McLaughlin|Nic Lochlainn", "O'Reilly|OReilly|O Reilly|Ní Raghallaigh"};

/* Polish, Lithuanian, Romanian; surnames with women's forms. */
static const char *const east_european_m[] = {
    "Jakub", "Łukasz", "Krzysztof", "Piotr", "Tomasz", "Michał", "Paweł",
    "Kamil", "Mateusz", "Wojciech", "Marcin", "Andrzej", "Jonas",
    "Mantas", "Andrei|Andrey", "Ionuț", "Mihai", "Ștefan|Stefan",
    "Constantin", "Aleksander|Alexander"};
static const char *const east_european_f[] = {
    "Anna", "Katarzyna", "Agnieszka", "Małgorzata", "Magdalena",
    "Joanna", "Zofia", "Natalia", "Aleksandra|Alexandra", "Justyna",
    "Ewelina", "Monika", "Ieva", "Rūta", "Andreea|Andrea", "Ioana",
    "Elena", "Alina", "Gabrielė", "Żaneta|Zaneta"};
static const char *const east_european_s[] = {
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński",
    "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski",
    "Kazlauskas", "Jankauskas", "Petrauskas", "Žukauskas", "Popescu",
    "Ionescu", "Popa", "Constantinescu", "Ștefănescu"};
static const char *const east_european_s_f[] = {
    "Nowak", "Kowalska", "Wiśniewska", "Wójcik", "Kowalczyk", "Kamińska",
    "Lewandowska", "Zielińska", "Szymańska", "Woźniak", "Dąbrowska",
    "Kazlauskienė", "Jankauskienė", "Petrauskienė", "Žukauskienė",
    "Popescu", "Ionescu", "Popa", "Constantinescu", "Ștefănescu"};

/* Portuguese, Spanish, Italian, French, German, Dutch, Nordic. */
static const char *const west_european_m[] = {
    "João|Joao", "Tiago|Thiago", "Luca", "Marco", "Giuseppe",
    "François", "Pierre", "Jürgen|Juergen", "Lukas|Lucas", "Björn",
    "Søren|Soeren", "Jean-Luc|Jean Luc|Jeanluc", "Hans", "Matteo",
    "Pedro", "Tomás", "Rui", "Sven", "Niels", "Jan"};
static const char *const west_european_f[] = {
    "Inês", "Beatriz", "Giulia", "Chiara", "Chloé", "Zoë", "Renée",
    "Anaïs", "Léa", "Sophie", "Ingrid", "Astrid", "Marta|Martha",
    "Francesca", "Anja", "Hélène", "Maëlle", "Conceição", "Annelies",
    "Mathilde"};
static const char *const west_european_s[] = {
    "Da Silva|DaSilva|Silva|De Silva", "Dos Santos|Santos|DosSantos",
    "Ferreira", "Pereira", "Costa", "Rodrigues", "Russo", "Esposito",
    "De Luca|DeLuca|Deluca|Luca", "Rossi", "Müller|Mueller",
    "Schäfer|Schaefer", "Weiß|Weiss", "Schmidt|Schmitt",
    "Van der Meer|van der Meer|Vandermeer|Meer",
    "Van Dijk|van Dijk|Vandijk|Dijk", "De Jong|de Jong|Dejong|Jong",
    "Lefèvre|Lefebvre", "Dubois", "Le Roux|Leroux|Roux",
    "Østergaard|Oestergaard", "Jørgensen|Joergensen",
    "D'Angelo|DAngelo|D Angelo|Angelo", "Van den Berg|van den Berg|Vandenberg|Berg"};

/* Pakistani and Bangladeshi families. */
static const char *const sa_muslim_m[] = {
    "Muhammad|Mohammed|Mohammad|Mohamed|Muhammed|Mohammod", "Ahmed|Ahmad",
    "Ali", "Hassan|Hasan", "Imran", "Bilal", "Usman|Osman|Uthman",
    "Zain|Zayn", "Ibrahim|Ebrahim", "Yusuf|Yousuf|Yusef|Yousaf",
    "Abdul|Abdal", "Rahim|Raheem", "Shahid|Shahed", "Tariq|Tarik",
    "Faisal|Faysal", "Hamza|Hamzah", "Ayaan|Ayan", "Adam", "Omar|Umar",
    "Sohail|Suhail", "Kamran", "Mustafa|Mostafa", "Abdullah|Abdulla",
    "Rayyan|Rayan"};
static const char *const sa_muslim_f[] = {
    "Fatima|Fatimah|Fatema", "Aisha|Ayesha|Aysha|Aishah",
    "Zainab|Zaynab|Zenab", "Maryam|Mariam|Mariyam", "Amina|Aminah|Ameena",
    "Khadija|Khadijah|Khadeeja", "Hafsa|Hafsah", "Nusrat",
    "Rukhsana|Ruksana", "Nasreen|Nasrin", "Sumaiya|Sumaya|Somaiya",
    "Shirin|Shireen", "Hajra|Hajira", "Sadia|Saadia", "Anisa|Anisah",
    "Noor|Nur", "Samina", "Tasnim|Tasneem", "Rubina", "Shabana",
    "Rokeya|Rokiya", "Halima|Halimah"};
static const char *const sa_muslim_s[] = {
    "Khan", "Hussain|Hussein|Husain", "Ahmed|Ahmad", "Ali",
    "Akhtar|Akhter", "Iqbal", "Mahmood|Mahmud|Mehmood", "Rahman|Rehman",
    "Islam", "Miah|Mia|Meah", "Uddin|Udin",
    "Chowdhury|Choudhury|Chaudhry|Chaudhary", "Shah", "Butt", "Malik",
    "Raja", "Hoque|Haque|Huq", "Aziz", "Rashid|Rasheed",
    "Siddiqui|Siddiqi", "Karim|Kareem", "Sheikh|Shaikh"};
/* names women carry as a surname, the family name beside them */
static const char *const sa_muslim_women_s[] = {"Begum", "Bibi",
                                                "Khatun|Khatoon"};

/* Gujarati, Punjabi Hindu, South Indian and Goan families. */
static const char *const indian_m[] = {
    "Arjun", "Ravi", "Rahul", "Deepak", "Sanjay", "Vijay|Vijai",
    "Aarav|Arav", "Nikhil", "Krishna|Krishan", "Rohan", "Amit", "Anil",
    "Suresh", "Rajesh", "Dinesh", "Kiran", "Vikram", "Sachin", "Harish",
    "Manoj", "Pranav", "Hitesh"};
static const char *const indian_f[] = {
    "Priya", "Anjali", "Sunita", "Pooja|Puja", "Lakshmi|Laxmi",
    "Shreya|Shriya", "Divya", "Kavita|Kavitha", "Nisha", "Deepa",
    "Meera|Mira", "Anita", "Asha", "Rekha", "Geeta|Gita", "Hema",
    "Jyoti|Jyothi", "Radhika", "Neha", "Bhavna|Bhavana", "Hetal",
    "Ishani"};
static const char *const indian_s[] = {
    "Patel", "Shah", "Sharma", "Kumar", "Mistry|Mistri", "Parmar",
    "Joshi", "Gupta", "Mehta", "Desai", "Chauhan", "Rao", "Reddy",
    "Pillai", "Nair", "D'Souza|DSouza|Dsouza|De Souza", "Solanki",
    "Modi", "Thakkar|Thaker", "Verma|Varma", "Pandya", "Bhatt|Bhat"};

/* Sikh given names serve both sexes; Singh and Kaur are religious names. */
static const char *const sikh_m[] = {
    "Harpreet", "Gurpreet", "Manpreet", "Jaspreet", "Amarjit|Amarjeet",
    "Harjinder|Harjindar", "Kuldeep|Kuldip", "Navdeep|Navdip",
    "Sukhwinder|Sukhvinder", "Rajinder|Rajindar", "Balwinder|Balvinder",
    "Jaswinder|Jasvinder", "Parminder|Parmindar", "Gurdeep|Gurdip",
    "Mandeep|Mandip", "Ravinder|Ravindar", "Jaspal", "Kulwant", "Gurbir",
    "Arjan"};
static const char *const sikh_f[] = {
    "Harpreet", "Gurpreet", "Manpreet", "Jaspreet", "Simran",
    "Harjinder|Harjindar", "Kuldeep|Kuldip", "Navdeep|Navdip",
    "Sukhwinder|Sukhvinder", "Rajinder|Rajindar", "Balwinder|Balvinder",
    "Jaswinder|Jasvinder", "Parminder|Parmindar", "Amrit", "Mandeep|Mandip",
    "Harleen", "Jasleen", "Navneet", "Kiranjit|Kiranjeet", "Amandeep|Amandip"};
static const char *const sikh_s[] = {
    "Gill", "Sandhu", "Sidhu", "Dhillon", "Grewal", "Bains", "Johal",
    "Sahota", "Virdi", "Bhamra", "Kang", "Dhaliwal", "Atwal", "Hayer|Heer",
    "Bassi", "Mann", "Chahal", "Uppal", "Sohal", "Rai"};
static const char *const singh = "Singh";
static const char *const kaur = "Kaur";

/* Chinese: family name first at home; given names of one or two
 * syllables, run together, spaced or hyphenated; Mandarin or Cantonese
 * romanisation; English names taken on arrival. */
static const char *const chinese_m[] = {
    "Wei", "Hao", "Jun", "Ming", "Zhi Hao|Zhihao|Zhi-Hao", "Jian", "Tao",
    "Lei", "Yong", "Jia Jun|Jiajun|Jia-Jun", "Ka Wai|Kawai|Ka-Wai",
    "Chun Kit|Chunkit|Chun-Kit", "Yu Xuan|Yuxuan", "Kevin", "Jason",
    "Hong", "Bin", "Zhen", "Wing", "Kwok Wah|Kwokwah|Kwok-Wah"};
static const char *const chinese_f[] = {
    "Jing", "Li Na|Lina|Li-Na", "Xiu Ying|Xiuying|Xiu-Ying", "Yan", "Mei",
    "Hui", "Xin", "Jia Hui|Jiahui|Jia-Hui", "Ying", "Fang", "Ling",
    "Mei Ling|Meiling|Mei-Ling", "Siu Man|Siuman|Siu-Man", "Jenny",
    "Michelle", "Yue", "Qian", "Xiao Hong|Xiaohong", "Hui Min|Huimin",
    "Wai Yee|Waiyee|Wai-Yee"};
static const char *const chinese_s[] = {
    "Wang|Wong", "Li|Lee", "Zhang|Cheung|Chang", "Chen|Chan", "Liu|Lau",
    "Huang|Wong", "Zhou|Chow", "Wu|Ng", "Lin|Lam", "Yang|Yeung", "Ho|He",
    "Zhao|Chiu", "Xu|Hui", "Sun|Suen", "Tang", "Leung|Liang", "Cheng",
    "Yip|Ye", "Tsang|Zeng", "Kwok|Guo"};

/* Vietnamese: family name, middle name, given name. */
static const char *const vietnamese_m[] = {
    "Minh", "Tuan|Tuấn", "Hung|Hùng", "Long", "Dung|Dũng", "Quan|Quân",
    "Thanh", "Huy", "Khoa", "Bao|Bảo", "Hieu|Hiếu", "Phong", "Duy",
    "Trung", "Vinh"};
static const char *const vietnamese_f[] = {
    "Linh", "Huong|Hương", "Trang", "Lan", "Hoa", "Mai", "Ngoc Anh|Ngọc Anh",
    "Thao|Thảo", "Hanh|Hạnh", "Phuong|Phương", "Nhung", "Thuy|Thủy",
    "Hang|Hằng", "Yen|Yến", "Diep|Diệp"};
static const char *const vietnamese_s[] = {
    "Nguyen|Nguyễn", "Tran|Trần", "Le|Lê", "Pham|Phạm", "Hoang|Hoàng|Huynh",
    "Phan", "Vu|Vũ|Vo", "Dang|Đặng", "Bui|Bùi", "Do|Đỗ", "Ngo|Ngô",
    "Duong|Dương"};
static const char *const vietnamese_middle_m[] = {"Van|Văn", "Duc|Đức",
                                                  "Minh", "Quang", "Huu|Hữu"};
static const char *const vietnamese_middle_f[] = {"Thi|Thị", "Ngoc|Ngọc",
                                                  "Thu", "Kim", "Bich|Bích"};

/* Nigerian (Yoruba, Igbo) and Ghanaian (Akan) families. */
static const char *const west_african_m[] = {
    "Emmanuel", "Oluwaseun|Seun", "Chukwuemeka|Emeka", "Oluwatobi|Tobi",
    "Adebayo|Bayo", "Kwame", "Kofi", "Kwabena", "Chinedu", "Obinna",
    "Babatunde|Tunde", "Olumide|Mide", "Samuel", "Daniel",
    "Ikechukwu|Ike", "Oluwafemi|Femi", "Ifeanyi", "Yaw", "Kwaku",
    "Nnamdi"};
static const char *const west_african_f[] = {
    "Blessing", "Chiamaka|Amaka", "Ngozi", "Folasade|Sade",
    "Temitope|Tope", "Oluwakemi|Kemi", "Abena", "Adwoa",
    "Funmilayo|Funmi", "Chidinma|Dinma", "Adaeze|Ada", "Yetunde",
    "Precious", "Esther", "Akosua", "Efua", "Nkechi", "Ifeoma",
    "Oluwadamilola|Damilola|Dami", "Abimbola|Bimbo"};
static const char *const west_african_s[] = {
    "Adeyemi", "Okafor", "Okonkwo", "Mensah", "Owusu", "Boateng",
    "Adebayo", "Nwosu", "Balogun", "Ogunleye", "Asante", "Appiah",
    "Osei", "Olaniyan", "Adeleke", "Nwachukwu", "Okoro", "Afolabi",
    "Agyeman|Agyemang", "Darko", "Ogunbanjo", "Oyelaran"};

static const char *const caribbean_m[] = {
    "Jermaine|Germaine", "Tyrone", "Delroy", "Leroy", "Winston",
    "Jamal|Jamaal", "Kemar", "Andre|André", "Marlon", "Errol", "Devon",
    "Dwayne|Duane|Dwain", "Clive", "Desmond", "Courtney", "Nathaniel",
    "Joshua", "Tyrese|Tyreece", "Carlton", "Wesley"};
static const char *const caribbean_f[] = {
    "Marcia|Marsha", "Shanice|Shaniece|Chanice", "Tanisha|Tanesha",
    "Keisha|Kisha|Keesha", "Tianna|Tiana", "Chantelle|Shantelle|Chantel",
    "Dionne", "Yvonne", "Beverley|Beverly", "Janice", "Paulette",
    "Natalie|Nathalie", "Jada|Jayda", "Aaliyah|Aliyah", "Kiana|Kianna",
    "Simone", "Sharon", "Donna", "Joyce", "Claudette"};
static const char *const caribbean_s[] = {
    "Campbell", "Brown", "Williams", "Thompson", "Clarke|Clark",
    "Johnson", "Francis", "Grant", "Bailey", "Reid|Read",
    "McKenzie|MacKenzie|Mckenzie", "Samuels", "Forbes", "Henry",
    "Gordon", "Lewis", "Morgan", "Walters", "Richards", "Robinson",
    "Edwards", "Spence", "Stewart", "Barrett"};

/* Somali: given name, father's given name, grandfather's; no family
 * name, so a child's "surname" is the father's given name. The male
 * names serve as the surnames. */
static const char *const somali_m[] = {
    "Mohamed|Mohammed|Maxamed", "Abdi|Cabdi", "Ahmed|Axmed",
    "Hassan|Xasan", "Ali|Cali", "Omar|Cumar", "Farah|Faarax",
    "Ismail|Ismaaciil", "Yusuf|Yuusuf", "Osman|Cismaan", "Warsame",
    "Jama|Jaamac", "Hussein|Xuseen", "Abdullahi|Cabdullaahi", "Nur|Nuur",
    "Aden|Aadan|Adan", "Abdirahman|Cabdiraxmaan|Abdi Rahman",
    "Mahamud|Maxamuud", "Guled", "Abdikadir|Cabdiqaadir"};
static const char *const somali_f[] = {
    "Hodan|Hodon", "Amina|Aamina", "Fadumo|Faadumo|Faduma", "Hawa|Xaawo",
    "Sahra|Sahro", "Ayan|Ayaan", "Ifrah|Ifra", "Hibo|Hiba",
    "Khadra|Khadro", "Nasra|Nasro", "Sagal", "Ubah|Ubax", "Deeqa|Deka",
    "Ikran", "Zamzam", "Safiya|Safia", "Fardowsa|Firdaus", "Ladan",
    "Muna", "Hamdi"};

/* Arabic-speaking families: particles (Al-, El-, Abu), compound names. */
static const char *const arabic_m[] = {
    "Mohammed|Muhammad|Mohamed|Mohamad", "Ahmed|Ahmad",
    "Yusuf|Youssef|Yousef|Yusef", "Omar|Umar", "Khalid|Khaled",
    "Abdullah|Abdallah|Abdulla",
    "Abdul Rahman|Abdulrahman|Abdul-Rahman|Abdelrahman",
    "Hussein|Hussain|Husain", "Karim|Kareem", "Mahmoud|Mahmood|Mahmud",
    "Tarek|Tariq|Tareq", "Samir|Sameer", "Walid|Waleed", "Hamza|Hamzah",
    "Rami|Ramy", "Ziad|Ziyad|Zeyad", "Mustafa|Moustafa", "Ibrahim",
    "Majid|Majed", "Bassam"};
static const char *const arabic_f[] = {
    "Fatima|Fatimah|Fatma", "Aisha|Ayesha|Aysha|Aishah",
    "Maryam|Mariam|Meryem", "Noor|Nour|Nur", "Layla|Leila|Laila",
    "Yasmin|Yasmine|Jasmin", "Huda|Houda", "Rania|Ranya", "Salma|Selma",
    "Hana|Hanaa", "Amal", "Sara|Sarah", "Dina|Deena", "Rasha",
    "Lina|Leena", "Reem|Rim", "Samira|Sameera", "Nadia|Nadiya",
    "Ghada", "Zeinab|Zaynab|Zainab"};
static const char *const arabic_s[] = {
    "Al-Hassan|Al Hassan|Alhassan|Hassan", "Al-Ahmad|Al Ahmad|Alahmad|Ahmad",
    "El-Sayed|El Sayed|Elsayed|Sayed", "Al-Rashid|Al Rashid|Alrashid|Rashid",
    "Abdullah|Abdallah", "Ibrahim", "Hassan", "Mahmoud|Mahmood",
    "Haddad", "Saleh|Salih", "Nasser|Nasir", "Khalil", "Mansour|Mansur",
    "El-Amin|El Amin|Elamin|Amin", "Al-Khatib|Al Khatib|Alkhatib|Khatib",
    "Abu Bakr|Abubakr|Abu-Bakr|Abubakar", "Hamdan", "Darwish",
    "Othman|Uthman|Osman", "Al-Masri|Al Masri|Almasri|Masri"};

static const char *const turkish_m[] = {
    "Mehmet", "Mustafa", "Emre", "Ahmet", "Hüseyin", "Gökhan", "Murat",
    "Burak", "Yusuf", "Serkan", "Oğuz", "İbrahim", "Kemal", "Arda",
    "Hakan", "Cem", "Volkan", "Tolga", "Erkan", "Ömer"};
static const char *const turkish_f[] = {
    "Ayşe", "Elif", "Zeynep", "Özlem", "Fatma", "Emine", "Hatice",
    "Meryem", "Büşra", "Esra", "Derya", "Gülsüm", "Şule", "Selin",
    "Deniz", "Sevgi", "Gizem", "Merve", "Yasemin", "Nurcan"};
static const char *const turkish_s[] = {
    "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk",
    "Aydın", "Özdemir", "Arslan|Aslan", "Doğan", "Kılıç", "Çetin", "Kurt",
    "Koç", "Erdoğan", "Polat", "Güneş", "Bulut", "Keskin"};

/* Spanish and Latin American: two surnames, the father's first then
 * the mother's, a child taking the first of each. */
static const char *const hispanic_m[] = {
    "José", "Juan Carlos|Juancarlos|Juan-Carlos", "Luis", "Carlos",
    "Andrés", "Jesús", "Miguel Ángel|Miguel-Ángel", "Diego", "Alejandro",
    "Santiago", "Javier|Xavier", "Sebastián", "Mateo", "Fernando",
    "Ramón", "Pablo", "Jorge", "Rafael", "Sergio", "Álvaro"};
static const char *const hispanic_f[] = {
    "María", "Sofía", "Camila", "Lucía", "Valentina", "Isabel",
    "Daniela", "Gabriela", "Carmen", "Ana María|Ana-María|Anamaría",
    "Paula", "Verónica", "Ximena|Jimena", "Mónica", "Ángela",
    "María José|María-José", "Rocío", "Alejandra", "Catalina", "Inés"};
static const char *const hispanic_s[] = {
    "García", "Rodríguez", "González", "Fernández", "López", "Martínez",
    "Sánchez", "Pérez", "Gómez", "Díaz", "Hernández", "Muñoz", "Álvarez",
    "Romero", "Torres", "Ramírez", "Flores", "Vargas", "Castro", "Ortiz"};

/* Nicknames the extracts use instead of the registered forename. */
static const char *const nick_of[][2] = {
    {"William", "Bill"}, {"Robert", "Bob"}, {"James", "Jim"},
    {"Thomas", "Tom"}, {"Daniel", "Dan"}, {"Samuel", "Sam"},
    {"Michael", "Mike"}, {"Edward", "Ted"}, {"Richard", "Dick"},
    {"Joseph", "Joe"}, {"Charles", "Charlie"}, {"Christopher", "Chris"},
    {"Andrew", "Andy"}, {"Nicholas", "Nick"}, {"Matthew", "Matt"},
    {"Anthony", "Tony"}, {"Stephen", "Steve"}, {"Peter", "Pete"},
    {"Elizabeth", "Liz"}, {"Margaret", "Maggie"}, {"Katherine", "Kate"},
    {"Susan", "Sue"}, {"Jennifer", "Jenny"}, {"Victoria", "Vicky"},
    {"Alexander", "Alex"}, {"Frederick", "Fred"}, {"Henry", "Harry"},
    {"David", "Dave"}, {"Jonathan", "Jon"}, {"Benjamin", "Ben"},
    {"Rebecca", "Becky"}, {"Deborah", "Debbie"}, {"Kenneth", "Ken"},
};

enum convention_id {
    CONV_ENGLISH, CONV_WELSH, CONV_SCOTTISH, CONV_IRISH,
    CONV_EAST_EUROPEAN, CONV_WEST_EUROPEAN, CONV_SOUTH_ASIAN_MUSLIM,
    CONV_INDIAN, CONV_SIKH, CONV_CHINESE, CONV_VIETNAMESE,
    CONV_WEST_AFRICAN, CONV_CARIBBEAN, CONV_SOMALI, CONV_ARABIC,
    CONV_TURKISH, CONV_HISPANIC, CONV_COUNT
};

#define LIST(a) a, N(a)

static const struct convention {
    const char *name;                 /* as the truth file names it */
    const char *const *male;
    size_t nmale;
    const char *const *female;
    size_t nfemale;
    const char *const *surnames;
    size_t nsurnames;
    const char *const *surnames_f;    /* women's forms, index for index */
    short variant_pm;     /* a row spells a name another of its ways */
    short middle_pm;      /* people with a middle name */
    short family_first_pm; /* rows with family and given name swapped */
    short wife_own;       /* a wife keeps her own family name */
    short nicknames;      /* English nicknames apply */
} conventions[CONV_COUNT] = {
    {"english", LIST(english_m), LIST(english_f), LIST(english_s), NULL,
     30, 400, 0, 0, 1},
    {"welsh", LIST(welsh_m), LIST(welsh_f), LIST(welsh_s), NULL,
     120, 400, 0, 0, 1},
    {"scottish", LIST(scottish_m), LIST(scottish_f), LIST(scottish_s), NULL,
     100, 400, 0, 0, 1},
    {"irish", LIST(irish_m), LIST(irish_f), LIST(irish_s), irish_s_f,
     120, 400, 0, 0, 1},
    {"east_european", LIST(east_european_m), LIST(east_european_f),
     LIST(east_european_s), east_european_s_f, 40, 200, 0, 0, 0},
    {"west_european", LIST(west_european_m), LIST(west_european_f),
     LIST(west_european_s), NULL, 100, 300, 0, 0, 0},
    {"south_asian_muslim", LIST(sa_muslim_m), LIST(sa_muslim_f),
     LIST(sa_muslim_s), NULL, 150, 250, 0, 0, 0},
    {"indian", LIST(indian_m), LIST(indian_f), LIST(indian_s), NULL,
     60, 200, 0, 0, 0},
    {"sikh", LIST(sikh_m), LIST(sikh_f), LIST(sikh_s), NULL,
     60, 100, 0, 0, 0},
    {"chinese", LIST(chinese_m), LIST(chinese_f), LIST(chinese_s), NULL,
     80, 50, 150, 1, 0},
    {"vietnamese", LIST(vietnamese_m), LIST(vietnamese_f),
     LIST(vietnamese_s), NULL, 60, 0, 150, 1, 0},
    {"west_african", LIST(west_african_m), LIST(west_african_f),
     LIST(west_african_s), NULL, 120, 500, 0, 0, 0},
    {"caribbean", LIST(caribbean_m), LIST(caribbean_f), LIST(caribbean_s),
     NULL, 80, 400, 0, 0, 1},
    {"somali", LIST(somali_m), LIST(somali_f), LIST(somali_m), NULL,
     150, 0, 0, 1, 0},
    {"arabic", LIST(arabic_m), LIST(arabic_f), LIST(arabic_s), NULL,
     150, 200, 0, 1, 0},
    {"turkish", LIST(turkish_m), LIST(turkish_f), LIST(turkish_s), NULL,
     20, 200, 0, 0, 0},
    {"hispanic", LIST(hispanic_m), LIST(hispanic_f), LIST(hispanic_s), NULL,
     60, 0, 0, 1, 0},
};

/*
 * The naming conventions of each ethnic group's households, per mille,
 * from the 2021 census of England and Wales (Asian: Pakistani and
 * Bangladeshi, Indian and Sikh, Chinese, Vietnamese; Black: African,
 * Caribbean, Somali; White: British, Irish, Polish and other Eastern
 * European, other Western European) -- rounded, and only the conventions
 * above. The groups themselves keep the mix synth always had (eth_mix).
 */
static const struct {
    uint8_t conv;
    short pm;
} conv_mix[5][8] = {
    /* WHITE */
    {{CONV_ENGLISH, 740}, {CONV_WELSH, 60}, {CONV_SCOTTISH, 60},
     {CONV_IRISH, 50}, {CONV_EAST_EUROPEAN, 60}, {CONV_WEST_EUROPEAN, 30}},
    /* MIXED: one parent's convention; the other's is English */
    {{CONV_CARIBBEAN, 300}, {CONV_ENGLISH, 300}, {CONV_WEST_AFRICAN, 100},
     {CONV_SOUTH_ASIAN_MUSLIM, 80}, {CONV_INDIAN, 80}, {CONV_CHINESE, 60},
     {CONV_ARABIC, 80}},
    /* ASIAN */
    {{CONV_SOUTH_ASIAN_MUSLIM, 400}, {CONV_INDIAN, 300}, {CONV_SIKH, 110},
     {CONV_CHINESE, 130}, {CONV_VIETNAMESE, 60}},
    /* BLACK */
    {{CONV_WEST_AFRICAN, 450}, {CONV_CARIBBEAN, 350}, {CONV_SOMALI, 200}},
    /* OTHER */
    {{CONV_ARABIC, 450}, {CONV_TURKISH, 250}, {CONV_HISPANIC, 300}},
};

/* WHITE MIXED ASIAN BLACK OTHER; UNKNOWN is a recording, per person. */
static const short eth_mix[5] = {750, 50, 90, 50, 30};
static const char *const eth_name[6] = {"WHITE", "MIXED", "ASIAN",
                                        "BLACK", "OTHER", "UNKNOWN"};
static const char *const band_name[7] = {"0-4", "5-10", "11-15", "16-17",
                                         "18-24", "25-64", "65+"};

/* Traits of a person (the truth file's traits column). */
enum trait {
    T_TWIN = 1 << 0,          /* a twin: same dob, surname and address */
    T_COMMON = 1 << 1,        /* one of the two commonest forenames and
                               * surnames of the convention */
    T_DOUBLE = 1 << 2,        /* a double surname, hyphenated or not */
    T_PARTICLE = 1 << 3,      /* Al-, El-, Mc, Mac, O', Da, Van der ... */
    T_RELIGIOUS = 1 << 4,     /* Singh, Kaur, Begum, Bibi, Khatun */
    T_FAMILY_FIRST = 1 << 5,  /* family name first where it comes from */
    T_DIACRITICS = 1 << 6,    /* the registered name has accents */
    T_NO_STRONG_ID = 1 << 7,  /* no NHS number or UPN in social care or
                               * housing: nothing strong across them */
    T_MOVER = 1 << 8,         /* moved house within the three years */
    T_PATRONYMIC = 1 << 9,    /* surname is the father's given name */
};
static const char *const trait_name[] = {
    "twin", "common_name", "double_surname", "particle",
    "religious_surname", "family_name_first", "diacritics",
    "no_strong_id", "mover", "patronymic"};

/* Faults of a row against the person's registered identity (the truth
 * file's faults column). */
enum fault {
    F_NICKNAME = 1 << 0,      /* Bill for William */
    F_FN_VARIANT = 1 << 1,    /* another spelling: Mohammed for Muhammad,
                               * David for Dafydd, Seun for Oluwaseun */
    F_FN_MIDDLE = 1 << 2,     /* the middle name with or for the forename */
    F_SN_VARIANT = 1 << 3,    /* Al Hassan for Al-Hassan, McLeod for
                               * MacLeod, a double surname's hyphen */
    F_SN_PART = 1 << 4,       /* one part of a double surname */
    F_SN_ORDER = 1 << 5,      /* a double surname's parts swapped */
    F_SN_OTHER = 1 << 6,      /* the family name for Singh, Kaur or Begum
                               * (or both); a Somali grandfather's name */
    F_SN_CHANGE = 1 << 7,     /* a changed surname (marriage) */
    F_ACCENTS = 1 << 8,       /* accents dropped (Sian for Siân) */
    F_FAMILY_FIRST = 1 << 9,  /* family name in the forename field */
    F_SWAP = 1 << 10,         /* forename and surname swapped */
    F_FN_TYPO = 1 << 11,
    F_SN_TYPO = 1 << 12,
    F_NO_FN = 1 << 13,
    F_NO_SN = 1 << 14,
    F_NO_DOB = 1 << 15,
    F_DOB_SWAP = 1 << 16,     /* day and month swapped */
    F_DOB_DAY = 1 << 17,      /* a day off by one, or another day */
    F_DOB_MONTH = 1 << 18,    /* the month off by one */
    F_DOB_YEAR = 1 << 19,     /* the year off by one, or its digits swapped */
    F_MOVED = 1 << 20,        /* the postcode the person had before */
};
static const char *const fault_name[] = {
    "nickname", "fn_variant", "fn_middle", "sn_variant", "sn_part",
    "sn_order", "sn_other", "sn_change", "accents", "family_first",
    "swap", "fn_typo", "sn_typo", "no_fn", "no_sn", "no_dob", "dob_swap",
    "dob_day", "dob_month", "dob_year", "moved"};

/* How a person's surname is made of surname and surname2. */
enum surname_form {
    SF_ONE,     /* surname alone; surname2, if any, is another they use */
    SF_HYPHEN,  /* surname-surname2 */
    SF_SPACE,   /* surname surname2 */
};

struct person {
    const char *forename;  /* a name entry: its spellings, '|' between */
    const char *middle;    /* or NULL */
    const char *surname;
    const char *surname2;  /* or NULL; see enum surname_form */
    int32_t dob;
    int32_t moved;         /* the day the household moved; DAY_NONE */
    uint32_t postcode;     /* index into the lookup */
    uint32_t old_postcode; /* where the household lived before moved */
    uint32_t household;
    uint16_t traits;
    uint8_t sex;           /* 0 M, 1 F, 2 U */
    uint8_t eth;           /* 0..5 WHITE MIXED ASIAN BLACK OTHER UNKNOWN */
    uint8_t conv;          /* enum convention_id */
    uint8_t band;          /* age band at the reference date */
    uint8_t fv, mv, sv, s2v; /* the spelling each is registered under */
    uint8_t sform;         /* enum surname_form */
    char nhs[11];
    char upn[14];
};

/* The number of spellings of a name entry. */
static int
spellings(const char *e)
{
    int n = 1;

    for (; *e; e++)
        n += *e == '|';
    return n;
}

/* Appends spelling k of entry e to out[len..cap); returns the new
 * length (the text is cut, never overrun, at cap). */
static size_t
append_spelling(char *out, size_t len, size_t cap, const char *e, int k)
{
    while (k > 0 && *e)
        if (*e++ == '|')
            k--;
    while (*e && *e != '|' && len + 1 < cap)
        out[len++] = *e++;
    out[len] = '\0';
    return len;
}

static size_t
append_text(char *out, size_t len, size_t cap, const char *s)
{
    while (*s && len + 1 < cap)
        out[len++] = *s++;
    out[len] = '\0';
    return len;
}

/* The spelling a person is registered under: mostly the entry's first. */
static uint8_t
registered_spelling(uint64_t *rs, const char *e)
{
    int n;

    if (!strchr(e, '|'))
        return 0;
    n = spellings(e);
    return chance(rs, 650) ? 0 : (uint8_t)rnd(rs, n);
}

/* The spelling a row writes: the registered one, or with probability
 * per_mille another (and *changed set). */
static int
row_spelling(uint64_t *rs, const char *e, int reg, int per_mille,
             int *changed)
{
    int n, k;

    if (!strchr(e, '|'))
        return reg;
    n = spellings(e);
    if (!chance(rs, per_mille))
        return reg;
    k = (int)rnd(rs, n - 1);
    *changed = 1;
    return k >= reg ? k + 1 : k;
}

/* A particle or prefix in any spelling of the entry: a space, an
 * apostrophe or a hyphen inside the name, or Mc / Mac before a capital. */
static int
has_particle(const char *e)
{
    const char *p;

    if (!e)
        return 0;
    for (p = e; *p; p++) {
        if (*p == ' ' || *p == '\'' || *p == '-')
            return 1;
        if ((p == e || p[-1] == '|') &&
            ((p[0] == 'M' && p[1] == 'c' && p[2] >= 'A' && p[2] <= 'Z') ||
             (p[0] == 'M' && p[1] == 'a' && p[2] == 'c' && p[3] >= 'A' &&
              p[3] <= 'Z')))
            return 1;
    }
    return 0;
}

static int
non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

/* Decodes one UTF-8 sequence of our own (valid) text; its length. */
static size_t
utf8_next(const unsigned char *p, unsigned *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] < 0xE0 && p[1]) {
        *cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
        return 2;
    }
    if (p[0] < 0xF0 && p[1] && p[2]) {
        *cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        return 3;
    }
    *cp = '?';
    return 1;
}

/*
 * The letters a system without accents writes for a code point, in the
 * letter's case ("L" for Ł, "ss" for ß, "" for a combining accent), or
 * NULL for a code point our names do not use. Latin-1, Latin Extended-A
 * (upper case at even code points but for two runs at odd ones), the
 * Romanian and Vietnamese letters.
 */
static const char *
fold_letter(unsigned cp)
{
    static const char *const latin1[64] = {
        "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I",
        "I", "I", "I", "D", "N", "O", "O", "O", "O", "O", "x", "O", "U",
        "U", "U", "U", "Y", "TH", "ss", "a", "a", "a", "a", "a", "a", "ae",
        "c", "e", "e", "e", "e", "i", "i", "i", "i", "d", "n", "o", "o",
        "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y"};
    static const struct {
        unsigned lo, hi;
        const char *upper, *lower;
    } ranges[] = {
        {0x100, 0x105, "A", "a"}, {0x106, 0x10D, "C", "c"},
        {0x10E, 0x111, "D", "d"}, {0x112, 0x11B, "E", "e"},
        {0x11C, 0x123, "G", "g"}, {0x124, 0x127, "H", "h"},
        {0x128, 0x131, "I", "i"}, {0x132, 0x133, "IJ", "ij"},
        {0x134, 0x135, "J", "j"}, {0x136, 0x138, "K", "k"},
        {0x139, 0x142, "L", "l"}, {0x143, 0x14B, "N", "n"},
        {0x14C, 0x151, "O", "o"}, {0x152, 0x153, "OE", "oe"},
        {0x154, 0x159, "R", "r"}, {0x15A, 0x161, "S", "s"},
        {0x162, 0x167, "T", "t"}, {0x168, 0x173, "U", "u"},
        {0x174, 0x175, "W", "w"}, {0x176, 0x178, "Y", "y"},
        {0x179, 0x17E, "Z", "z"}, {0x1A0, 0x1A1, "O", "o"},
        {0x1AF, 0x1B0, "U", "u"}, {0x218, 0x219, "S", "s"},
        {0x21A, 0x21B, "T", "t"}, {0x1EA0, 0x1EB7, "A", "a"},
        {0x1EB8, 0x1EC7, "E", "e"}, {0x1EC8, 0x1ECB, "I", "i"},
        {0x1ECC, 0x1EE3, "O", "o"}, {0x1EE4, 0x1EF1, "U", "u"},
        {0x1EF2, 0x1EF9, "Y", "y"},
    };
    size_t i;

    if (cp >= 0xC0 && cp <= 0xFF)
        return latin1[cp - 0xC0];
    if (cp >= 0x300 && cp <= 0x36F)
        return "";
    for (i = 0; i < N(ranges); i++) {
        if (cp < ranges[i].lo || cp > ranges[i].hi)
            continue;
        if (cp == 0x178)
            return ranges[i].upper;
        if (cp == 0x1AF)
            return ranges[i].upper;
        if (cp == 0x1B0)
            return ranges[i].lower;
        /* upper case at odd code points in these two runs */
        if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
            return cp & 1 ? ranges[i].upper : ranges[i].lower;
        return cp & 1 ? ranges[i].lower : ranges[i].upper;
    }
    return NULL;
}

/* The byte Windows-1252 has for a code point, or -1. */
static int
cp1252_byte(unsigned cp)
{
    static const unsigned hi[32] = {
        0x20AC, 0, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x2C6, 0x2030, 0x160, 0x2039, 0x152, 0, 0x17D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0, 0x17E, 0x178};
    int i;

    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
        return (int)cp;
    for (i = 0; i < 32; i++)
        if (hi[i] && hi[i] == cp)
            return 0x80 + i;
    return -1;
}

/*
 * Rewrites s (UTF-8) in place: every letter for which keep(cp) is 0
 * folded to its plain letters (never longer: each fold is at most as
 * many bytes as the sequence it replaces). 1 if anything changed.
 */
static int
fold_where(char *s, int (*keep)(unsigned))
{
    const unsigned char *r = (const unsigned char *)s;
    char *w = s;
    int changed = 0;

    while (*r) {
        unsigned cp;
        size_t n = utf8_next(r, &cp);
        const char *f;

        if (n == 1 || keep(cp) || !(f = fold_letter(cp))) {
            memmove(w, r, n);
            w += n;
        } else {
            size_t fl = strlen(f);

            memcpy(w, f, fl);
            w += fl;
            changed = 1;
        }
        r += n;
    }
    *w = '\0';
    return changed;
}

static int
keep_none(unsigned cp)
{
    (void)cp;
    return 0;
}

static int
keep_cp1252(unsigned cp)
{
    return cp1252_byte(cp) >= 0;
}

/* Accents dropped: the name as a system without them writes it. */
static int
fold_ascii(char *s)
{
    return fold_where(s, keep_none);
}

/* The name as a Windows-1252 system holds it: letters it has kept, the
 * others (Ł, ı, ș, ė, Vietnamese) folded. */
static int
fit_cp1252(char *s)
{
    return fold_where(s, keep_cp1252);
}

/* UTF-8 text that fits Windows-1252 (fit_cp1252) to Windows-1252. */
static void
to_cp1252(const char *in, char *out, size_t n)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0;

    while (*p && o + 1 < n) {
        unsigned cp;
        int b;

        p += utf8_next(p, &cp);
        b = cp1252_byte(cp);
        out[o++] = (char)(b >= 0 ? b : '?');
    }
    out[o] = '\0';
}

/*
 * One typing slip in a name, at an ASCII letter past the first (people
 * rarely get the first letter wrong; accented letters are left alone so
 * the text stays valid UTF-8): a neighbouring key, two letters swapped,
 * a letter dropped or doubled. 1 if the name changed.
 */
static int
typo(uint64_t *rs, char *s, size_t cap)
{
    static const char *const near[26] = {
        "qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv",
        "gyujnb", "ujko", "huikmn", "jiolm", "kop", "njk", "bhjm", "iklp",
        "ol", "wa", "edft", "awedxz", "rfgy", "yhji", "cfgb", "qase",
        "zsdc", "tghu", "asx"};
    size_t len = strlen(s), pos[64], n = 0, i, at;
    char c, lower;

    for (i = 1; i < len && n < N(pos); i++)
        if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))
            pos[n++] = i;
    if (!n)
        return 0;
    at = pos[rnd(rs, (long)n)];
    c = s[at];
    lower = (char)(c | 0x20);
    switch (rnd(rs, 4)) {
    case 0: {
        const char *k = near[lower - 'a'];
        char r = k[rnd(rs, (long)strlen(k))];

        s[at] = c >= 'a' ? r : (char)(r - 'a' + 'A');
        break;
    }
    case 1:
        if (at + 1 < len && s[at + 1] != c &&
            ((s[at + 1] >= 'a' && s[at + 1] <= 'z'))) {
            s[at] = s[at + 1];
            s[at + 1] = c;
        } else if (s[at - 1] != c && s[at - 1] >= 'a' && s[at - 1] <= 'z') {
            s[at] = s[at - 1];
            s[at - 1] = c;
        } else {
            return 0;
        }
        break;
    case 2:
        if (len < 4)
            return 0;
        memmove(s + at, s + at + 1, len - at);
        break;
    default:
        if (len + 2 > cap)
            return 0;
        memmove(s + at + 1, s + at, len - at + 1);
        break;
    }
    return 1;
}

/* d as exactly w digits (w <= 4). */
static char *
put_digits(char *b, int d, int w)
{
    int i;

    for (i = w - 1; i >= 0; i--) {
        b[i] = (char)('0' + d % 10);
        d /= 10;
    }
    return b + w;
}

/* The NHS number with body 999 000 000 + n (the test range, never issued;
 * past it, 400 000 000 + ...), or -1 when that body's check value is 10. */
static int
nhs_for(uint64_t n, char out[11])
{
    uint64_t body = 999000000ull + n;
    int sum = 0, i, check;

    if (body > 999999999ull)
        body = 400000000ull + (body - 1000000000ull);
    body %= 1000000000ull;
    for (i = 8; i >= 0; i--) {
        out[i] = (char)('0' + body % 10);
        body /= 10;
    }
    for (i = 0; i < 9; i++)
        sum += (out[i] - '0') * (10 - i);
    check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    if (check == 10)
        return -1;
    out[9] = (char)('0' + check);
    out[10] = '\0';
    return 0;
}

void
synth_nhs_number(uint64_t n, char out[11])
{
    while (nhs_for(n, out) < 0)
        n++;
}

/* Hands out distinct valid NHS numbers in order. */
static void
next_nhs(uint64_t *counter, char out[11])
{
    while (nhs_for(*counter, out) < 0)
        (*counter)++;
    (*counter)++;
}

void
synth_upn(int la, int yy, uint64_t n, char out[14])
{
    static const char letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
    char *b = out + 1;
    int sum = 0, i;

    /* ?LLLSSSSYYNNN: LA, serial thousands, year, serial units */
    b = put_digits(b, (int)((unsigned)la % 1000), 3);
    b = put_digits(b, (int)(n / 1000 % 10000), 4);
    b = put_digits(b, (int)((unsigned)yy % 100), 2);
    b = put_digits(b, (int)(n % 1000), 3);
    *b = '\0';
    for (i = 1; i < 13; i++)
        sum += (out[i] - '0') * (i + 1);
    out[0] = letters[sum % 23];
}

/* How one system writes identifiers. */
struct system_style {
    int missing_nhs_pm;   /* rows without the NHS number */
    int accents_pm;       /* rows written without accents */
};

/* The identifiers one row carries, faults applied. */
struct written {
    char forename[96];
    char surname[96];
    int32_t dob;
    char nhs[11];
    char postcode[16];
    uint32_t faults;      /* enum fault */
};

/* The forename as a row writes it: a spelling, the middle name with it
 * or for it, or a nickname. */
static void
row_forename(uint64_t *rs, const struct person *p, struct written *w)
{
    const struct convention *cv = &conventions[p->conv];
    int changed = 0, k, full_pm = 20, only_pm = 10;
    size_t len;
    long r;

    k = row_spelling(rs, p->forename, p->fv, cv->variant_pm, &changed);
    if (changed)
        w->faults |= F_FN_VARIANT;
    if (p->middle) {
        if (p->conv == CONV_VIETNAMESE) {
            full_pm = 350;   /* Thi Linh for Linh */
            only_pm = 0;
        } else if (p->conv == CONV_SOUTH_ASIAN_MUSLIM && p->sex != 1) {
            full_pm = 250;   /* Muhammad Usman, or Usman, for Muhammad */
            only_pm = 200;
        }
        r = rnd(rs, 1000);
        if (r < only_pm) {
            append_spelling(w->forename, 0, sizeof(w->forename), p->middle,
                            p->mv);
            w->faults |= F_FN_MIDDLE;
            return;
        }
        if (r < only_pm + full_pm) {
            /* given then middle; Vietnamese middle then given */
            int viet = p->conv == CONV_VIETNAMESE;

            len = append_spelling(w->forename, 0, sizeof(w->forename),
                                  viet ? p->middle : p->forename,
                                  viet ? p->mv : k);
            len = append_text(w->forename, len, sizeof(w->forename), " ");
            append_spelling(w->forename, len, sizeof(w->forename),
                            viet ? p->forename : p->middle, viet ? k : p->mv);
            w->faults |= F_FN_MIDDLE;
            return;
        }
    }
    append_spelling(w->forename, 0, sizeof(w->forename), p->forename, k);
    if (cv->nicknames && chance(rs, 60)) {
        size_t i;

        for (i = 0; i < N(nick_of); i++)
            if (!strcmp(w->forename, nick_of[i][0])) {
                append_text(w->forename, 0, sizeof(w->forename),
                            nick_of[i][1]);
                w->faults |= F_NICKNAME;
                break;
            }
    }
}

/* The surname as a row writes it: a spelling of each part, one part of
 * a double surname or both the other way round, the family name for a
 * religious one. */
static void
row_surname(uint64_t *rs, const struct person *p, struct written *w)
{
    const struct convention *cv = &conventions[p->conv];
    int changed = 0, a, b = 0;
    const char *sep = p->sform == SF_HYPHEN ? "-" : " ";
    size_t len;
    long r;

    a = row_spelling(rs, p->surname, p->sv, cv->variant_pm, &changed);
    if (p->surname2)
        b = row_spelling(rs, p->surname2, p->s2v, cv->variant_pm, &changed);
    if (changed)
        w->faults |= F_SN_VARIANT;
    r = rnd(rs, 1000);
    if (!p->surname2) {
        append_spelling(w->surname, 0, sizeof(w->surname), p->surname, a);
    } else if (p->sform == SF_ONE) {
        if (r < 150) {
            append_spelling(w->surname, 0, sizeof(w->surname), p->surname2, b);
            w->faults |= F_SN_OTHER;
        } else if (r < 250) {
            len = append_spelling(w->surname, 0, sizeof(w->surname),
                                  p->surname, a);
            len = append_text(w->surname, len, sizeof(w->surname), " ");
            append_spelling(w->surname, len, sizeof(w->surname), p->surname2,
                             b);
            w->faults |= F_SN_OTHER;
        } else {
            append_spelling(w->surname, 0, sizeof(w->surname), p->surname, a);
        }
    } else if (r < 120) {
        append_spelling(w->surname, 0, sizeof(w->surname), p->surname, a);
        w->faults |= F_SN_PART;
    } else if (r < 180) {
        append_spelling(w->surname, 0, sizeof(w->surname), p->surname2, b);
        w->faults |= F_SN_PART;
    } else {
        const char *first = p->surname, *second = p->surname2;
        int fa = a, fb = b;

        if (r < 220) {
            first = p->surname2;
            second = p->surname;
            fa = b;
            fb = a;
            w->faults |= F_SN_ORDER;
        } else if (r < 300) {
            sep = p->sform == SF_HYPHEN ? " " : "-";
            w->faults |= F_SN_VARIANT;
        }
        len = append_spelling(w->surname, 0, sizeof(w->surname), first, fa);
        len = append_text(w->surname, len, sizeof(w->surname), sep);
        append_spelling(w->surname, len, sizeof(w->surname), second, fb);
    }
    if (chance(rs, 10)) {
        /* a surname change (marriage, a name dropped): the other system
         * still has the old one */
        append_spelling(w->surname, 0, sizeof(w->surname),
                        cv->surnames[rnd(rs, (long)cv->nsurnames)], 0);
        w->faults |= F_SN_CHANGE;
    }
}

/* A date of birth as a row writes it: mostly right; day and month
 * swapped, a day off by one or another day, the month off by one, the
 * year off by one or its last two digits swapped, or missing. Never in
 * the future or before 1900 (the job would refuse it as such). */
static void
row_dob(uint64_t *rs, const struct person *p, int32_t reference,
        struct written *w)
{
    long r = rnd(rs, 1000);
    int y, m, d, fault = 0;
    int32_t dob = p->dob;

    w->dob = p->dob;
    if (r >= 50)
        return;
    if (r >= 40) {
        w->dob = DAY_NONE;
        w->faults |= F_NO_DOB;
        return;
    }
    civil_from_days(p->dob, &y, &m, &d);
    if (r < 20) {
        if (d <= 12 && d != m) {
            dob = days_from_civil(y, d, m);
            fault = F_DOB_SWAP;
        }
    } else if (r < 26) {
        dob = p->dob + (chance(rs, 500) ? 1 : -1);
        fault = F_DOB_DAY;
    } else if (r < 29) {
        int nd = 1 + (int)rnd(rs, 28);

        if (nd != d) {
            dob = days_from_civil(y, m, nd);
            fault = F_DOB_DAY;
        }
    } else if (r < 33) {
        int nm = m == 1 ? 2 : m == 12 ? 11 : m + (chance(rs, 500) ? 1 : -1);
        int dim = days_in_month(y, nm);

        dob = days_from_civil(y, nm, d > dim ? dim : d);
        fault = F_DOB_MONTH;
    } else if (r < 38) {
        int ny = y + (chance(rs, 500) ? 1 : -1);
        int dim = days_in_month(ny, m);

        dob = days_from_civil(ny, m, d > dim ? dim : d);
        fault = F_DOB_YEAR;
    } else {
        /* 1978 for 1987 */
        int ny = y / 100 * 100 + (y % 10) * 10 + y / 10 % 10;
        int dim = days_in_month(ny, m);

        if (ny != y) {
            dob = days_from_civil(ny, m, d > dim ? dim : d);
            fault = F_DOB_YEAR;
        }
    }
    if (fault && dob <= reference && dob >= days_from_civil(1900, 1, 1)) {
        w->dob = dob;
        w->faults |= (uint32_t)fault;
    }
}

/* The postcode of a row about a time `when`: the one before the move if
 * it was before it (and now and then after it too: a system not told),
 * in one of the spellings systems use. */
static void
row_postcode(uint64_t *rs, const struct person *p, char *const *pcs,
             int32_t when, struct written *w)
{
    const char *pc = pcs[p->postcode];
    size_t i;

    if (p->moved != DAY_NONE && (when < p->moved || chance(rs, 50))) {
        pc = pcs[p->old_postcode];
        w->faults |= F_MOVED;
    }
    append_text(w->postcode, 0, sizeof(w->postcode), pc);
    if (chance(rs, 100)) {
        /* spacing and case variants */
        char *sp = strchr(w->postcode, ' ');

        if (sp && chance(rs, 500))
            memmove(sp, sp + 1, strlen(sp));
        else
            for (i = 0; w->postcode[i]; i++)
                if (w->postcode[i] >= 'A' && w->postcode[i] <= 'Z')
                    w->postcode[i] = (char)(w->postcode[i] - 'A' + 'a');
    }
}

/*
 * The identifiers one row about a time `when` carries: the person's, with
 * the faults real extracts have (enum fault), each recorded in w->faults.
 */
static void
identity(uint64_t *rs, const struct synth_options *o, const struct person *p,
         char *const *pcs, const struct system_style *sys, int32_t when,
         struct written *w)
{
    const struct convention *cv = &conventions[p->conv];
    long r;

    w->faults = 0;
    row_forename(rs, p, w);
    row_surname(rs, p, w);
    if (cv->family_first_pm && chance(rs, cv->family_first_pm)) {
        char t[sizeof(w->forename)];

        memcpy(t, w->forename, sizeof(t));
        memcpy(w->forename, w->surname, sizeof(t));
        memcpy(w->surname, t, sizeof(t));
        w->faults |= F_FAMILY_FIRST;
    } else if (chance(rs, 10)) {
        char t[sizeof(w->forename)];

        memcpy(t, w->forename, sizeof(t));
        memcpy(w->forename, w->surname, sizeof(t));
        memcpy(w->surname, t, sizeof(t));
        w->faults |= F_SWAP;
    }
    r = rnd(rs, 1000);
    if (r < 8) {
        /* both names mistyped */
        if (typo(rs, w->forename, sizeof(w->forename)))
            w->faults |= F_FN_TYPO;
        if (typo(rs, w->surname, sizeof(w->surname)))
            w->faults |= F_SN_TYPO;
    } else if (r < 28) {
        if (typo(rs, w->forename, sizeof(w->forename)))
            w->faults |= F_FN_TYPO;
    } else if (r < 58) {
        if (typo(rs, w->surname, sizeof(w->surname)))
            w->faults |= F_SN_TYPO;
    }
    if (chance(rs, sys->accents_pm) &&
        (non_ascii(w->forename) || non_ascii(w->surname))) {
        fold_ascii(w->forename);
        fold_ascii(w->surname);
        w->faults |= F_ACCENTS;
    }
    if (chance(rs, 5)) {
        w->forename[0] = '\0';
        w->faults |= F_NO_FN;
    }
    if (chance(rs, 3)) {
        w->surname[0] = '\0';
        w->faults |= F_NO_SN;
    }
    row_dob(rs, p, o->reference, w);
    memcpy(w->nhs, p->nhs, sizeof(w->nhs));
    if ((p->traits & T_NO_STRONG_ID) || chance(rs, sys->missing_nhs_pm))
        w->nhs[0] = '\0';
    else if (chance(rs, 10))
        w->nhs[9] = (char)('0' + (w->nhs[9] - '0' + 1) % 10); /* bad check */
    row_postcode(rs, p, pcs, when, w);
}

/*
 * An earlier spell's row in the same system: the same identifiers (one
 * person record, many spells), but the address the person had then.
 * Returns w, or h filled from w with the postcode from before the move.
 */
static const struct written *
earlier_row(const struct person *p, char *const *pcs, int32_t when,
            const struct written *w, struct written *h)
{
    if (p->moved == DAY_NONE || when >= p->moved || (w->faults & F_MOVED))
        return w;
    *h = *w;
    append_text(h->postcode, 0, sizeof(h->postcode), pcs[p->old_postcode]);
    h->faults |= F_MOVED;
    return h;
}

struct out_file {
    const char *name;
    const char *source;  /* the demo job's [source] name for this file */
    FILE *f;
    gzFile gz;
    long line;           /* the physical line the next row starts on */
    long rows;
    char buf[8192];
    size_t len;
};

static void
flush_row(struct out_file *o)
{
    size_t i;

    if (o->gz)
        gzwrite(o->gz, o->buf, (unsigned)o->len);
    else
        fwrite(o->buf, 1, o->len, o->f);
    for (i = 0; i < o->len; i++)
        o->line += o->buf[i] == '\n';
    o->len = 0;
}

static void
put(struct out_file *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out_file *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof(o->buf) - o->len)
        o->len += (size_t)n;
}

/* Appends text, cut at the buffer's end (put's rule). */
static void
put_text(struct out_file *o, const char *s, size_t n)
{
    if (n >= sizeof(o->buf) - o->len)
        n = sizeof(o->buf) - o->len - 1;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void
put_str(struct out_file *o, const char *s)
{
    put_text(o, s, strlen(s));
}

static void
put_long(struct out_file *o, long v)
{
    char t[24];
    size_t n = sizeof(t);
    unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;

    do {
        t[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        t[--n] = '-';
    put_text(o, t + n, sizeof(t) - n);
}

/*
 * A date in one of the extracts' styles: 0 dd/mm/yyyy, 1 yyyy-mm-dd,
 * 2 yyyymmdd, 3 dd-Mon-yyyy; "" for no date or an open end. Written by
 * hand: it is called for every row, and snprintf was a tenth of the run.
 */
static void
fmt_date(int32_t day, int style, char *buf, size_t n)
{
    static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int y, m, d;
    char *b = buf;

    if (day == DAY_NONE || day == DAY_OPEN || n < 12 || style < 0 ||
        style > 3) {
        buf[0] = '\0';
        return;
    }
    civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999) {
        buf[0] = '\0';
        return;
    }
    switch (style) {
    case 0:
        b = put_digits(b, d, 2);
        *b++ = '/';
        b = put_digits(b, m, 2);
        *b++ = '/';
        b = put_digits(b, y, 4);
        break;
    case 1:
        b = put_digits(b, y, 4);
        *b++ = '-';
        b = put_digits(b, m, 2);
        *b++ = '-';
        b = put_digits(b, d, 2);
        break;
    case 2:
        b = put_digits(b, y, 4);
        b = put_digits(b, m, 2);
        b = put_digits(b, d, 2);
        break;
    default:
        b = put_digits(b, d, 2);
        *b++ = '-';
        memcpy(b, mon + 3 * (m - 1), 3);
        b += 3;
        *b++ = '-';
        b = put_digits(b, y, 4);
        break;
    }
    *b = '\0';
}

/* A set of flags as their names, space-separated. */
static void
put_flags(struct out_file *o, uint32_t flags, const char *const *names,
          size_t n)
{
    size_t i;
    int first = 1;

    for (i = 0; i < n && flags; i++) {
        if (!(flags & (1u << i)))
            continue;
        if (!first)
            put_text(o, " ", 1);
        put_str(o, names[i]);
        flags &= ~(1u << i);
        first = 0;
    }
}

/*
 * One truth line: source,line,person, the identifiers as the row wrote
 * them, then the person's convention, ethnic group, sex, age band and
 * traits, and the row's faults. p NULL: a row of no real person (an
 * orphan episode): those columns empty. Written in whole buffers (the
 * truth's own line count is never needed).
 */
static void
truth(struct out_file *t, const struct out_file *o, long line, long pid,
      const struct person *p, const struct written *w, const char *upn)
{
    char dob[16];

    if (t->len > sizeof(t->buf) - 1024) {
        fwrite(t->buf, 1, t->len, t->f);
        t->len = 0;
    }
    put_str(t, o->source);
    put_text(t, ",", 1);
    put_long(t, line);
    put_text(t, ",", 1);
    put_long(t, pid);
    put_text(t, ",", 1);
    put_str(t, w->nhs);
    put_text(t, ",", 1);
    put_str(t, upn ? upn : "");
    put_text(t, ",", 1);
    put_str(t, w->forename);
    put_text(t, ",", 1);
    put_str(t, w->surname);
    put_text(t, ",", 1);
    fmt_date(w->dob, 1, dob, sizeof(dob));
    put_str(t, dob);
    put_text(t, ",", 1);
    put_str(t, w->postcode);
    put_text(t, ",", 1);
    if (p) {
        put_str(t, conventions[p->conv].name);
        put_text(t, ",", 1);
        put_str(t, eth_name[p->eth]);
        put_text(t, ",", 1);
        put_str(t, p->sex == 0 ? "M" : p->sex == 1 ? "F" : "U");
        put_text(t, ",", 1);
        put_str(t, band_name[p->band]);
        put_text(t, ",", 1);
        put_flags(t, p->traits, trait_name, N(trait_name));
    } else {
        put_text(t, ",,,,", 4);
    }
    put_text(t, ",", 1);
    put_flags(t, w->faults, fault_name, N(fault_name));
    put_text(t, "\n", 1);
}
/* A spell in the 36 months before the reference date. */
static void
spell(uint64_t *rs, int32_t reference, int32_t *start, int32_t *end)
{
    *start = reference - (int32_t)rnd(rs, 36 * 30);
    if (chance(rs, 450)) {
        *end = DAY_OPEN;
    } else {
        *end = *start + 30 + (int32_t)rnd(rs, 700);
        if (*end > reference)
            *end = DAY_OPEN;
    }
}

/*
 * The stream a row's history draws from: its own, so that a history never
 * moves the main stream (the first spells are the same bytes at any
 * --spells), and a function of seed, department and person (or
 * household) only.
 */
static uint64_t
history_seed(const struct synth_options *o, int dept, long id)
{
    uint64_t s = o->seed * 0xD1342543DE82EF95ull ^ ((uint64_t)dept << 56) ^
                 (uint64_t)id;

    (void)next_u64(&s);
    return s;
}

/*
 * The spell before the one starting at *start: it ends gap_min to
 * gap_min+gap_rnd-1 days before it and lasts len_min to len_min+len_rnd-1
 * days. 0, or -1 (nothing changed) when it would start before floor: the
 * history stops there (a child's before birth, an adult service's before
 * 18).
 */
static int
earlier_spell(uint64_t *xs, int32_t *start, int32_t *end, int32_t floor,
              int gap_min, int gap_rnd, int len_min, int len_rnd)
{
    int32_t e = *start - gap_min - (int32_t)rnd(xs, gap_rnd);
    int32_t b = e - len_min - (int32_t)rnd(xs, len_rnd);

    if (b < floor)
        return -1;
    *start = b;
    *end = e;
    return 0;
}

static int
load_postcodes(const char *path, char ***out, size_t *n, struct diag *d)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t la = 0, cap = 0;
    long lineno = 0;

    *out = NULL;
    *n = 0;
    if (!f) {
        diag_set(d, path, 0, 0, "lookup", "cannot read the lookup: %s",
                 strerror(errno));
        return CE_CONFIG;
    }
    while (getline(&line, &la, f) >= 0) {
        char *comma = strchr(line, ',');

        if (++lineno == 1 || !comma)
            continue;
        *comma = '\0';
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            char **p = realloc(*out, nc * sizeof(*p));

            if (!p)
                break;
            *out = p;
            cap = nc;
        }
        if (!((*out)[*n] = strdup(line)))
            break;
        (*n)++;
    }
    free(line);
    fclose(f);
    if (!*n) {
        diag_set(d, path, 1, 0, "lookup", "no postcodes in the lookup");
        return CE_CONFIG;
    }
    return 0;
}

/* mkdir -p */
static int
make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path), i;

    if (!n || n >= sizeof(buf))
        return -1;
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0750) < 0 && errno != EEXIST)
            return -1;
        buf[i] = path[i];
    }
    return 0;
}

static int
open_out(struct out_file *o, const char *dir, const char *name,
         const char *source, int gz, struct diag *d)
{
    char path[4096];

    memset(o, 0, sizeof(*o));
    o->name = name;
    o->source = source;
    o->line = 1;
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
        diag_set(d, dir, 0, 0, NULL, "path too long");
        return CE_IO;
    }
    if (gz) {
        o->gz = gzopen(path, "wb1");
        if (!o->gz) {
            diag_set(d, path, 0, 0, NULL, "cannot create");
            return CE_IO;
        }
        gzbuffer(o->gz, 1 << 20);
    } else {
        o->f = fopen(path, "wb");
        if (!o->f) {
            diag_set(d, path, 0, 0, NULL, "cannot create: %s",
                     strerror(errno));
            return CE_IO;
        }
        setvbuf(o->f, NULL, _IOFBF, 1 << 20);
    }
    return 0;
}

static int
close_out(struct out_file *o)
{
    int rc = 0;

    if (o->len && (o->gz || o->f))
        flush_row(o);
    if (o->gz)
        rc = gzclose(o->gz) == Z_OK ? 0 : -1;
    else if (o->f)
        rc = fclose(o->f) == 0 ? 0 : -1;
    o->gz = NULL;
    o->f = NULL;
    return rc;
}

static const char *const dfe_eth[6][3] = {
    {"WBRI", "WOTH", "WIRI"}, {"MWBC", "MWAS", "MOTH"},
    {"APKN", "AIND", "ABAN"}, {"BAFR", "BCRB", "BOTH"},
    {"OOTH", "OOTH", "OOTH"}, {"NOBT", "REFU", "NOBT"}};
static const char *const nhs_eth[6] = {"A", "D", "H", "N", "S", "Z"};

/* The list of forenames for a sex in a convention (U: the male list, as
 * synth always did). */
static const char *const *
forenames_of(const struct convention *cv, int sex, size_t *n)
{
    *n = sex == 1 ? cv->nfemale : cv->nmale;
    return sex == 1 ? cv->female : cv->male;
}

/* The surname entry at index i for a person of this sex. */
static const char *
surname_at(const struct convention *cv, long i, int sex)
{
    return sex == 1 && cv->surnames_f ? cv->surnames_f[i] : cv->surnames[i];
}

/* The age band at the reference date ry-rm-rd. */
static int
age_band(int32_t dob, int ry, int rm, int rd)
{
    int y, m, d, age;

    civil_from_days(dob, &y, &m, &d);
    age = ry - y - (rm < m || (rm == m && rd < d));
    return age < 5 ? 0 : age < 11 ? 1 : age < 16 ? 2 : age < 18 ? 3
           : age < 25 ? 4 : age < 65 ? 5 : 6;
}

/* A forename (and its index in its list) for a person of the household's
 * convention; a MIXED household's children half the time English. */
static long
draw_forename(uint64_t *rs, const struct convention *cv, int mixed,
              struct person *p)
{
    const struct convention *fc = mixed && chance(rs, 500)
                                      ? &conventions[CONV_ENGLISH] : cv;
    const char *const *list;
    size_t n;
    long i;

    list = forenames_of(fc, p->sex, &n);
    i = pick(rs, (long)n);
    p->forename = list[i];
    p->fv = registered_spelling(rs, p->forename);
    p->middle = NULL;
    if (p->conv == CONV_VIETNAMESE) {
        const char *const *mid = p->sex == 1 ? vietnamese_middle_f
                                             : vietnamese_middle_m;

        p->middle = mid[rnd(rs, 5)];
    } else if ((p->conv == CONV_SOUTH_ASIAN_MUSLIM && p->sex != 1 &&
                fc == cv && i == 0 && chance(rs, 700)) ||
               chance(rs, fc->middle_pm)) {
        /* a middle name; for Muhammad, the name the man goes by */
        long j = 1 + rnd(rs, (long)n - 1);

        p->middle = list[(i + j) % (long)n];
    }
    if (p->middle)
        p->mv = registered_spelling(rs, p->middle);
    return fc == cv ? i : (long)n;
}

/* The household's shared family names (indices into the convention's
 * surnames) and how its people carry them. */
struct household {
    uint8_t conv, eth, mixed, double_barrelled;
    long s1, s2;            /* family names: the father's (and second) */
    long m1, m2;            /* the mother's (Hispanic) */
    const char *father;     /* Somali: the father's given name, the
                             * children's surname */
    uint8_t father_v;
};

static void
draw_household(uint64_t *rs, struct household *h)
{
    long e = rnd(rs, 970), acc = 0, i;
    const struct convention *cv;

    for (i = 0; i < 5; i++)
        if (e < (acc += eth_mix[i]))
            break;
    h->eth = (uint8_t)i;
    e = rnd(rs, 1000);
    acc = 0;
    for (i = 0; i < 8 && conv_mix[h->eth][i].pm; i++)
        if (e < (acc += conv_mix[h->eth][i].pm))
            break;
    h->conv = conv_mix[h->eth][i < 8 ? i : 0].conv;
    cv = &conventions[h->conv];
    h->mixed = h->eth == 1;
    h->s1 = pick(rs, (long)cv->nsurnames);
    h->s2 = pick(rs, (long)cv->nsurnames);
    h->m1 = pick(rs, (long)cv->nsurnames);
    h->m2 = pick(rs, (long)cv->nsurnames);
    if (h->s2 == h->s1)
        h->s2 = (h->s1 + 1) % (long)cv->nsurnames;
    h->double_barrelled =
        (uint8_t)(h->mixed ? chance(rs, 350)
                  : h->conv == CONV_ENGLISH ? chance(rs, 30)
                  : h->conv == CONV_WEST_EUROPEAN ? chance(rs, 80)
                  : 0);
    h->father = NULL;
}

/*
 * A person's surname as the household's convention gives it: the
 * household's family name mostly (a wife's own where wives keep theirs),
 * Singh or Kaur beside or instead of a Sikh family name, Begum for many
 * Bangladeshi and Pakistani women, a Somali child's father's given name,
 * a Hispanic child's father's and mother's first surnames, a
 * double-barrelled name shared by the household. k: the person's place
 * in the household (0, 1 adults). Returns the family name's index.
 */
static long
draw_surname(uint64_t *rs, struct household *h, int k, int age,
             struct person *p)
{
    const struct convention *cv = &conventions[h->conv];
    long i = chance(rs, h->conv == CONV_SOUTH_ASIAN_MUSLIM ? 700 : 850)
                 ? h->s1 : pick(rs, (long)cv->nsurnames);
    long r;

    if (k == 1 && cv->wife_own)
        i = pick(rs, (long)cv->nsurnames);
    p->surname = surname_at(cv, i, p->sex);
    p->surname2 = NULL;
    p->sform = SF_ONE;
    switch (h->conv) {
    case CONV_SIKH:
        r = rnd(rs, 1000);
        p->surname = p->sex == 1 ? kaur : singh;
        p->surname2 = cv->surnames[i];
        if (r >= 500 && r < 800) {
            p->surname = cv->surnames[i];
            p->surname2 = p->sex == 1 ? kaur : singh;
        } else if (r >= 800) {
            p->sform = SF_SPACE;
        }
        p->traits |= T_RELIGIOUS;
        break;
    case CONV_SOUTH_ASIAN_MUSLIM:
        if (p->sex == 1 && age >= 18 && chance(rs, 400)) {
            p->surname = sa_muslim_women_s[pick(rs, N(sa_muslim_women_s))];
            p->surname2 = cv->surnames[i];
            p->traits |= T_RELIGIOUS;
        }
        break;
    case CONV_SOMALI:
        if (k == 0 && p->sex == 0) {
            /* the father: the children's surname is his given name */
            p->forename = cv->male[h->s1];
            p->fv = registered_spelling(rs, p->forename);
            h->father = p->forename;
            h->father_v = p->fv;
            p->surname = cv->male[h->s2];
            p->surname2 = cv->male[h->m1];
        } else if (k >= 2) {
            if (!h->father) {
                h->father = cv->male[h->s1];
                h->father_v = registered_spelling(rs, h->father);
            }
            p->surname = h->father;
            p->sv = h->father_v;
            p->surname2 = cv->male[h->s2];
            p->s2v = registered_spelling(rs, p->surname2);
            p->traits |= T_PATRONYMIC;
            return h->s1;
        } else {
            p->surname = cv->male[pick(rs, (long)cv->nmale)];
            p->surname2 = cv->male[pick(rs, (long)cv->nmale)];
        }
        p->traits |= T_PATRONYMIC;
        break;
    case CONV_HISPANIC:
        p->surname = cv->surnames[k == 1 ? h->m1 : h->s1];
        p->surname2 = cv->surnames[k == 0 ? h->s2 : h->m1];
        if (k == 1)
            p->surname2 = cv->surnames[h->m2];
        r = rnd(rs, 1000);
        p->sform = r < 700 ? SF_SPACE : r < 800 ? SF_HYPHEN : SF_ONE;
        i = k == 1 ? h->m1 : h->s1;
        break;
    default:
        if (h->double_barrelled && i == h->s1) {
            const struct convention *other =
                h->mixed ? &conventions[CONV_ENGLISH] : cv;
            long j = h->mixed ? h->s2 % (long)other->nsurnames : h->s2;

            p->surname2 = surname_at(other, j, p->sex);
            p->sform = SF_HYPHEN;
            if (h->mixed && (h->s1 & 1)) {
                /* the English name first in half the households */
                p->surname2 = p->surname;
                p->surname = surname_at(other, j, p->sex);
            }
        }
        break;
    }
    p->sv = registered_spelling(rs, p->surname);
    if (p->surname2)
        p->s2v = registered_spelling(rs, p->surname2);
    return i;
}

/* The traits that follow from the names (enum trait). */
static void
name_traits(struct person *p, long fi, long si)
{
    char buf[96];

    if (fi < 2 && si < 2)
        p->traits |= T_COMMON;
    if (p->sform != SF_ONE)
        p->traits |= T_DOUBLE;
    if (has_particle(p->surname) ||
        (p->sform != SF_ONE && has_particle(p->surname2)))
        p->traits |= T_PARTICLE;
    if (p->conv == CONV_CHINESE || p->conv == CONV_VIETNAMESE)
        p->traits |= T_FAMILY_FIRST;
    if (non_ascii(p->forename)) {
        append_spelling(buf, 0, sizeof(buf), p->forename, p->fv);
        if (non_ascii(buf))
            p->traits |= T_DIACRITICS;
    }
    if (non_ascii(p->surname)) {
        append_spelling(buf, 0, sizeof(buf), p->surname, p->sv);
        if (non_ascii(buf))
            p->traits |= T_DIACRITICS;
    }
}

/*
 * The population: households of 1-5 sharing a postcode, a naming
 * convention and (mostly) a family name; the first two adults, the rest
 * children, now and then twins; one household in eight moved within the
 * three years, from a postcode of its own.
 */
static void
make_people(uint64_t *rs, const struct synth_options *o, size_t npcs,
            struct person *people)
{
    uint64_t nhs_counter = o->seed % 1000;
    long pid, hh = 0;
    int ry, rm, rd;

    civil_from_days(o->reference, &ry, &rm, &rd);
    for (pid = 0; pid < o->people;) {
        long size = 1 + rnd(rs, 4) + (chance(rs, 200) ? 1 : 0), k;
        uint32_t pc = (uint32_t)rnd(rs, (long)npcs), old_pc = pc;
        int32_t moved = DAY_NONE;
        struct household h;

        draw_household(rs, &h);
        if (chance(rs, 120)) {
            old_pc = (uint32_t)rnd(rs, (long)npcs);
            if (old_pc != pc)
                moved = o->reference - (int32_t)rnd(rs, 3 * 365);
        }
        for (k = 0; k < size && pid < o->people; k++, pid++) {
            struct person *p = &people[pid];
            struct person *prev = k ? &people[pid - 1] : NULL;
            int age;
            long fi, si;

            memset(p, 0, sizeof(*p));
            p->conv = h.conv;
            p->eth = chance(rs, 30) ? 5 : h.eth;
            p->sex = chance(rs, 5) ? 2 : (uint8_t)rnd(rs, 2);
            /* the first two of a household are adults, the rest children */
            age = k < 2 ? 18 + (int)rnd(rs, 78) : (int)rnd(rs, 18);
            p->dob = o->reference - age * 365 - (int32_t)rnd(rs, 365);
            fi = draw_forename(rs, &conventions[h.conv], h.mixed, p);
            si = draw_surname(rs, &h, (int)k, age, p);
            if (k >= 3 && prev->dob > o->reference - 18 * 365 &&
                !(prev->traits & T_TWIN) && chance(rs, 30)) {
                /* a twin of the child before: same birthday, surname
                 * and address; another forename */
                int tries;

                p->dob = prev->dob;
                p->eth = prev->eth;
                p->surname = prev->surname;
                p->surname2 = prev->surname2;
                p->sv = prev->sv;
                p->s2v = prev->s2v;
                p->sform = prev->sform;
                p->traits = prev->traits & (T_RELIGIOUS | T_PATRONYMIC);
                if (h.conv == CONV_SIKH || conventions[h.conv].surnames_f) {
                    /* the surname says the sex: twins of one */
                    p->sex = prev->sex;
                }
                tries = 0;
                do
                    fi = draw_forename(rs, &conventions[h.conv], h.mixed, p);
                while (!strcmp(p->forename, prev->forename) && ++tries < 16);
                p->traits |= T_TWIN;
                prev->traits |= T_TWIN;
                age = (int)((o->reference - p->dob) / 365);
            }
            name_traits(p, fi, si);
            if (chance(rs, 50))
                p->traits |= T_NO_STRONG_ID;
            next_nhs(&nhs_counter, p->nhs);
            p->upn[0] = '\0';
            if (age >= 4 && age <= 18)
                synth_upn(999, 26 - age % 10, (uint64_t)pid, p->upn);
            p->postcode = pc;
            p->old_postcode = old_pc;
            p->moved = moved;
            if (moved != DAY_NONE)
                p->traits |= T_MOVER;
            p->household = (uint32_t)hh;
            p->band = (uint8_t)age_band(p->dob, ry, rm, rd);
        }
        hh++;
    }
}

/* How each system writes identifiers: the share of rows without an NHS
 * number (education never has one) and of rows without accents. */
static const struct system_style housing_style = {300, 200};
static const struct system_style csc_style = {50, 100};
static const struct system_style adults_style = {20, 300};
static const struct system_style education_style = {1000, 150};

/* Everything a department's rows need. */
struct synth_ctx {
    const struct synth_options *o;
    char *const *pcs;
    struct out_file *tr;
    const struct person *people;
};

/* The housing register's view of person pid (synth_housing.h): the
 * identifiers as registered, the current postcode. */
static void
register_resident(void *ctx, long pid, struct synth_resident *r)
{
    const struct synth_ctx *x = ctx;
    const struct person *p = &x->people[pid];
    size_t n;

    r->household = p->household;
    r->dob = p->dob;
    r->sex = p->sex;
    append_spelling(r->forename, 0, sizeof(r->forename), p->forename, p->fv);
    n = append_spelling(r->surname, 0, sizeof(r->surname), p->surname, p->sv);
    if (p->surname2 && p->sform != SF_ONE) {
        n = append_text(r->surname, n, sizeof(r->surname),
                        p->sform == SF_HYPHEN ? "-" : " ");
        append_spelling(r->surname, n, sizeof(r->surname), p->surname2,
                        p->s2v);
    }
    /* no NHS number where the person has none anywhere but education */
    memcpy(r->nhs, p->nhs, sizeof(r->nhs));
    if (p->traits & T_NO_STRONG_ID)
        r->nhs[0] = '\0';
    append_text(r->postcode, 0, sizeof(r->postcode), x->pcs[p->postcode]);
}

/* The main truth file's line for a register row. */
static void
register_truth(void *ctx, long line, long pid, const struct synth_resident *r)
{
    const struct synth_ctx *x = ctx;
    struct out_file src;
    struct written w;

    memset(&src, 0, sizeof(src));
    src.source = "register";
    memset(&w, 0, sizeof(w));
    memcpy(w.forename, r->forename, sizeof(w.forename));
    memcpy(w.surname, r->surname, sizeof(w.surname));
    memcpy(w.nhs, r->nhs, sizeof(w.nhs));
    memcpy(w.postcode, r->postcode, sizeof(w.postcode));
    w.dob = r->dob;
    truth(x->tr, &src, line, pid, &x->people[pid], &w, NULL);
}

/* One row of the case management system's extract. */
static void
csc_row(uint64_t *rs, const struct synth_ctx *x, const struct person *p,
        long pid, int svc, struct out_file *cs)
{
    static const char *const codes[] = {"CIN", "CPP"};
    const struct synth_options *o = x->o;
    const char *upn = p->traits & T_NO_STRONG_ID ? "" : p->upn;
    struct written w, h;
    const struct written *wr;
    char dob[16], s1[16], s2[16];
    int32_t st, en;
    long line = cs->line;

    spell(rs, o->reference, &st, &en);
    if (st < p->dob)
        st = p->dob;
    identity(rs, o, p, x->pcs, &csc_style, st, &w);
    if (chance(rs, 100))
        upn = "";
    fmt_date(w.dob, 1, dob, sizeof(dob));
    fmt_date(st, 1, s1, sizeof(s1));
    fmt_date(en, 1, s2, sizeof(s2));
    put(cs, "C%07ld,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", pid, w.forename,
        w.surname, dob, p->sex == 0 ? "1" : p->sex == 1 ? "2" : "9",
        dfe_eth[p->eth][rnd(rs, 3)], upn, w.nhs, w.postcode, codes[svc],
        s1, s2);
    flush_row(cs);
    cs->rows++;
    truth(x->tr, cs, line, pid, p, &w, upn);
    if (o->spells > 1) {
        /* earlier referrals, months apart, never before birth */
        uint64_t xs = history_seed(o, 1, pid);
        int k;

        for (k = 1; k < o->spells; k++) {
            if (earlier_spell(&xs, &st, &en, p->dob, 1, 200, 30, 400) < 0)
                break;
            wr = earlier_row(p, x->pcs, st, &w, &h);
            line = cs->line;
            fmt_date(st, 1, s1, sizeof(s1));
            fmt_date(en, 1, s2, sizeof(s2));
            put(cs, "C%07ld,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", pid,
                wr->forename, wr->surname, dob,
                p->sex == 0 ? "1" : p->sex == 1 ? "2" : "9",
                dfe_eth[p->eth][rnd(&xs, 3)], upn, wr->nhs, wr->postcode,
                codes[chance(&xs, 200)], s1, s2);
            flush_row(cs);
            cs->rows++;
            truth(x->tr, cs, line, pid, p, wr, upn);
        }
    }
}

/*
 * A looked-after child as SSDA903 has it: a header row (CHILD, SEX, DOB,
 * ETHNIC, UPN -- no name, no NHS number) and one to three consecutive
 * episodes carrying only CHILD, dates, codes and the home postcode of
 * the time. One child in a hundred has a second header row from another
 * year's return with the date of birth keyed differently (a conflict the
 * job reports).
 */
static void
lac_rows(uint64_t *rs, const struct synth_ctx *x, const struct person *p,
         long pid, struct out_file *lh, struct out_file *le)
{
    static const char *const place[] = {"U1", "U3", "U4", "U6", "K2", "R1"};
    static const char *const legal[] = {"C2", "V2", "E1", "J2"};
    const struct synth_options *o = x->o;
    struct written w;
    char dob[16], s1[16], s2[16];
    int32_t st, en, a, b;
    int headers = chance(rs, 10) ? 2 : 1, hd, eps, e;
    int strong = p->upn[0] && !(p->traits & T_NO_STRONG_ID);

    for (hd = 0; hd < headers; hd++) {
        long line = lh->line;
        int32_t written_dob = p->dob;
        const char *upn;

        memset(&w, 0, sizeof(w));
        if (hd == 1) {
            int y, m, d;

            civil_from_days(p->dob, &y, &m, &d);
            written_dob = d <= 12 && d != m ? days_from_civil(y, d, m)
                                            : p->dob + 1;
            w.faults = d <= 12 && d != m ? F_DOB_SWAP : F_DOB_DAY;
        }
        w.dob = written_dob;
        fmt_date(written_dob, 0, dob, sizeof(dob));
        upn = strong && !chance(rs, 50) ? p->upn : "UN1";
        put(lh, "C%07ld,%s,%s,%s,%s\r\n", pid, p->sex == 1 ? "2" : "1", dob,
            dfe_eth[p->eth][0], upn);
        flush_row(lh);
        lh->rows++;
        truth(x->tr, lh, line, pid, p, &w, strcmp(upn, "UN1") ? upn : NULL);
    }
    spell(rs, o->reference, &st, &en);
    if (st < p->dob) {
        /* looked after from birth: the spell starts then */
        st = p->dob;
        if (en != DAY_OPEN && en <= st)
            en = st + 30 > o->reference ? DAY_OPEN : st + 30;
    }
    eps = 1 + (int)rnd(rs, 3);
    for (e = 0, a = st; e < eps; e++, a = b) {
        long line = le->line;
        int last = e == eps - 1;

        b = last ? en : a + 20 + (int32_t)rnd(rs, 120);
        if (!last && en != DAY_OPEN && b >= en)
            b = en, last = 1;
        if (b != DAY_OPEN && b > o->reference)
            b = DAY_OPEN, last = 1;
        fmt_date(a, 0, s1, sizeof(s1));
        fmt_date(b, 0, s2, sizeof(s2));
        memset(&w, 0, sizeof(w));
        w.dob = DAY_NONE;
        append_text(w.postcode, 0, sizeof(w.postcode),
                    x->pcs[p->moved != DAY_NONE && a < p->moved
                               ? p->old_postcode : p->postcode]);
        if (p->moved != DAY_NONE && a < p->moved)
            w.faults = F_MOVED;
        put(le, "C%07ld,%s,%s,%s,N%d,%s,PR%d,%s,%s,%s\r\n", pid, s1,
            e ? "P" : "S", legal[rnd(rs, 4)], 1 + (int)rnd(rs, 8),
            place[rnd(rs, 6)], 1 + (int)rnd(rs, 5), s2,
            b == DAY_OPEN ? "" : last ? "E11" : "X1", w.postcode);
        flush_row(le);
        le->rows++;
        truth(x->tr, le, line, pid, p, &w, NULL);
        if (last)
            break;
    }
}

/* Housing events are per household: every member is on the case. The
 * system is Windows-1252: a name it cannot hold is written as it would
 * hold it (fit_cp1252), and the truth has that. */
static void
housing_rows(uint64_t *rs, const struct synth_ctx *x,
             const struct person *people, struct out_file *hs,
             struct synth_counts *c)
{
    const struct synth_options *o = x->o;
    long pid, h0 = 0;

    for (pid = 0; pid < o->people; pid = h0) {
        long h1 = pid, k;
        int tenure = -1;
        int32_t st, en;
        long r = rnd(rs, 1000);

        while (h1 < o->people && people[h1].household == people[pid].household)
            h1++;
        h0 = h1;
        if (r < 30)
            tenure = 0; /* TA */
        else if (r < 60)
            tenure = 1; /* HP */
        else if (r < 140)
            tenure = 2; /* SH */
        if (tenure < 0)
            continue;
        spell(rs, o->reference, &st, &en);
        for (k = pid; k < h1; k++) {
            const struct person *p = &people[k];
            struct written w, h;
            const struct written *wr;
            char fn[96], sn[96], dob[16], s1[16], s2[16];
            long line = hs->line;
            int copies = chance(rs, 20) ? 2 : 1;

            while (copies--) {
                line = hs->line;
                identity(rs, o, p, x->pcs, &housing_style, st, &w);
                if (fit_cp1252(w.forename) | fit_cp1252(w.surname))
                    w.faults |= F_ACCENTS;
                to_cp1252(w.forename, fn, sizeof(fn));
                to_cp1252(w.surname, sn, sizeof(sn));
                fmt_date(w.dob, 0, dob, sizeof(dob));
                fmt_date(st, 0, s1, sizeof(s1));
                fmt_date(en, 0, s2, sizeof(s2));
                if (dob[0] && chance(rs, 3)) {
                    dob[0] = '3';
                    dob[1] = '1';
                    dob[3] = '0';
                    dob[4] = '2'; /* 31/02: an impossible date */
                }
                put(hs, "H%06ld,%s,%s,%s,%s,%s,\"%ld %s Road,%s%s\",%s,%s,%s,%s",
                    (long)p->household, fn, sn, dob,
                    p->sex == 0 ? "M" : p->sex == 1 ? "F" : "U", w.nhs,
                    1 + rnd(rs, 200), sn[0] ? sn : "Station",
                    chance(rs, 100) ? "\r\n" : " ", "Town", w.postcode,
                    chance(rs, 3) ? "XX" : tenure == 0 ? "TA" : tenure == 1 ? "HP" : "SH",
                    s1, s2);
                if (chance(rs, 2)) {
                    put(hs, ",EXTRA"); /* a ragged row */
                    c->faulty_rows++;
                }
                put(hs, "\r\n");
                flush_row(hs);
                hs->rows++;
                truth(x->tr, hs, line, k, p, &w, NULL);
            }
            if (o->spells > 1) {
                /* the household's earlier cases, a year or so apart,
                 * the same for every member (one stream per
                 * household); a child is on those since birth */
                uint64_t xs = history_seed(o, 0, (long)p->household);
                long num = 1 + rnd(&xs, 200);
                int32_t hst = st, hen;
                int e;

                for (e = 1; e < o->spells; e++) {
                    if (earlier_spell(&xs, &hst, &hen, p->dob, 30, 400,
                                      30, 700) < 0)
                        break;
                    wr = earlier_row(p, x->pcs, hst, &w, &h);
                    line = hs->line;
                    fmt_date(hst, 0, s1, sizeof(s1));
                    fmt_date(hen, 0, s2, sizeof(s2));
                    put(hs, "H%06ld,%s,%s,%s,%s,%s,\"%ld %s Road, Town\","
                             "%s,%s,%s,%s\r\n",
                        (long)p->household, fn, sn, dob,
                        p->sex == 0 ? "M" : p->sex == 1 ? "F" : "U", wr->nhs,
                        num, sn[0] ? sn : "Station", wr->postcode,
                        tenure == 0 ? "TA" : tenure == 1 ? "HP" : "SH", s1,
                        s2);
                    flush_row(hs);
                    hs->rows++;
                    truth(x->tr, hs, line, k, p, wr, NULL);
                }
            }
        }
    }
}

/* Adult social care, mostly the over-65s. */
static void
adult_rows(uint64_t *rs, const struct synth_ctx *x, const struct person *p,
           long pid, struct out_file *as)
{
    const struct synth_options *o = x->o;
    int age = (int)((o->reference - p->dob) / 365);
    int lts_pm = age >= 65 ? 100 : 15;
    struct written w, h;
    const struct written *wr;
    char dob[16], s1[16], s2[16];
    int32_t st, en;
    long r, line = as->line;

    if (age < 18)
        return;
    r = rnd(rs, 1000);
    if (r >= lts_pm + 20)
        return;
    spell(rs, o->reference, &st, &en);
    identity(rs, o, p, x->pcs, &adults_style, st, &w);
    fmt_date(w.dob, 2, dob, sizeof(dob));
    fmt_date(st, 2, s1, sizeof(s1));
    fmt_date(en, 2, s2, sizeof(s2));
    put(as, "A%07ld,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", pid, w.nhs,
        w.forename, w.surname, dob,
        p->sex == 0 ? "Male" : p->sex == 1 ? "Female" : "Unknown",
        nhs_eth[p->eth], w.postcode, r < lts_pm ? "LTS" : "STS", s1, s2);
    flush_row(as);
    as->rows++;
    truth(x->tr, as, line, pid, p, &w, NULL);
    if (o->spells > 1) {
        /* earlier care packages, reviewed back to back, from 18 */
        uint64_t xs = history_seed(o, 2, pid);
        int k, lts = r < lts_pm;

        for (k = 1; k < o->spells; k++) {
            if (earlier_spell(&xs, &st, &en, p->dob + 18 * 365, 1, 1, 60,
                              300) < 0)
                break;
            if (chance(&xs, 200))
                lts = !lts;
            wr = earlier_row(p, x->pcs, st, &w, &h);
            line = as->line;
            fmt_date(st, 2, s1, sizeof(s1));
            fmt_date(en, 2, s2, sizeof(s2));
            put(as, "A%07ld,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", pid, wr->nhs,
                wr->forename, wr->surname, dob,
                p->sex == 0   ? "Male"
                : p->sex == 1 ? "Female"
                              : "Unknown",
                nhs_eth[p->eth], wr->postcode, lts ? "LTS" : "STS", s1, s2);
            flush_row(as);
            as->rows++;
            truth(x->tr, as, line, pid, p, wr, NULL);
        }
    }
}

/* Education: SEN support, EHC plans, free school meals. */
static void
education_rows(uint64_t *rs, const struct synth_ctx *x,
               const struct person *p, long pid, struct out_file *ed)
{
    const struct synth_options *o = x->o;
    struct written w, h;
    const struct written *wr;
    char dob[16], s1[16], s2[16];
    int32_t st, en;
    long r, line = ed->line;
    const char *prov;

    if (!p->upn[0])
        return;
    r = rnd(rs, 1000);
    prov = r < 120 ? "K" : r < 150 ? "E" : r < 330 ? "FSM" : NULL;
    if (!prov)
        return;
    spell(rs, o->reference, &st, &en);
    identity(rs, o, p, x->pcs, &education_style, st, &w);
    fmt_date(w.dob, 3, dob, sizeof(dob));
    fmt_date(st, 3, s1, sizeof(s1));
    fmt_date(en, 3, s2, sizeof(s2));
    put(ed, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", p->upn, w.forename,
        w.surname, dob, p->sex == 1 ? "F" : "M", dfe_eth[p->eth][0],
        w.postcode, prov, s1, s2);
    flush_row(ed);
    ed->rows++;
    w.nhs[0] = '\0';
    truth(x->tr, ed, line, pid, p, &w, p->upn);
    if (o->spells > 1) {
        /* the same provision in earlier terms, from age 4 */
        uint64_t xs = history_seed(o, 3, pid);
        int k;

        for (k = 1; k < o->spells; k++) {
            if (earlier_spell(&xs, &st, &en, p->dob + 4 * 365, 1, 1, 90,
                              60) < 0)
                break;
            wr = earlier_row(p, x->pcs, st, &w, &h);
            line = ed->line;
            fmt_date(st, 3, s1, sizeof(s1));
            fmt_date(en, 3, s2, sizeof(s2));
            put(ed, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", p->upn, wr->forename,
                wr->surname, dob, p->sex == 1 ? "F" : "M",
                dfe_eth[p->eth][0], wr->postcode, prov, s1, s2);
            flush_row(ed);
            ed->rows++;
            truth(x->tr, ed, line, pid, p, wr, p->upn);
        }
    }
}

/* The multiple-needs departments' extracts (synth_needs.h) for the same
 * people, each under their registered spellings and current postcode. */
static int
needs_extracts(const struct synth_options *o, const struct person *people,
               char *const *pcs, struct synth_counts *c, struct diag *d)
{
    struct synth_needs_person *v = calloc((size_t)o->people + 1, sizeof(*v));
    long i;
    int rc;

    if (!v) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    for (i = 0; i < o->people; i++) {
        const struct person *p = &people[i];

        append_spelling(v[i].forename, 0, sizeof(v[i].forename), p->forename,
                        p->fv);
        append_spelling(v[i].surname, 0, sizeof(v[i].surname), p->surname,
                        p->sv);
        v[i].nhs = p->nhs;
        v[i].postcode = pcs[p->postcode];
        v[i].dob = p->dob;
        v[i].household = p->household;
        v[i].sex = p->sex;
    }
    rc = synth_needs_write(o, v, o->people, c->needs_rows, d);
    free(v);
    return rc;
}

int
synth_write(const struct synth_options *o, struct synth_counts *c,
            struct diag *d)
{
    struct out_file hs, cs, as, ed, tr, lh, le;
    struct person *people = NULL;
    struct synth_ctx x;
    struct synth_people sp;
    char **pcs = NULL;
    size_t npcs = 0, i;
    uint64_t rs = o->seed * 0x2545F4914F6CDD1Dull + 1;
    long pid;
    int rc;

    memset(c, 0, sizeof(*c));
    memset(&hs, 0, sizeof(hs));
    memset(&cs, 0, sizeof(cs));
    memset(&lh, 0, sizeof(lh));
    memset(&le, 0, sizeof(le));
    memset(&as, 0, sizeof(as));
    memset(&ed, 0, sizeof(ed));
    memset(&tr, 0, sizeof(tr));
    if ((rc = load_postcodes(o->lookup, &pcs, &npcs, d)) < 0)
        goto out;
    if (make_dirs(o->dir) < 0) {
        diag_set(d, o->dir, 0, 0, NULL, "cannot create: %s", strerror(errno));
        rc = CE_IO;
        goto out;
    }
    people = calloc((size_t)o->people + 1, sizeof(*people));
    if (!people) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
        goto out;
    }
    make_people(&rs, o, npcs, people);
    c->people = o->people;
    if ((rc = open_out(&hs, o->dir, "housing.csv", "housing", 0, d)) < 0 ||
        (rc = open_out(&cs, o->dir, "children_social_care.csv", "children", 0,
                       d)) < 0 ||
        (rc = open_out(&as, o->dir, "adult_social_care.csv.gz", "adults", 1,
                       d)) < 0 ||
        (rc = open_out(&ed, o->dir, "education.csv", "pupils", 0, d)) < 0 ||
        (rc = open_out(&lh, o->dir, "ssda903_header.csv", "lac_header", 0,
                       d)) < 0 ||
        (rc = open_out(&le, o->dir, "ssda903_episodes.csv", "lac_episodes", 0,
                       d)) < 0 ||
        (rc = open_out(&tr, o->dir, "truth_SYNTHETIC_IDENTIFIERS.csv", "", 0,
                       d)) < 0)
        goto out;
    x.o = o;
    x.pcs = pcs;
    x.tr = &tr;
    put(&tr, "source,line,person,nhs_number,upn,forename,surname,dob,"
             "postcode,convention,ethnicity,sex,age_band,traits,faults\n");
    flush_row(&tr);
    put(&hs, "CASE_REF,FIRST_NAME,LAST_NAME,DATE_OF_BIRTH,GENDER,NHS_NO,"
             "ADDRESS,POSTCODE,TENURE,START_DATE,END_DATE\r\n");
    flush_row(&hs);
    put(&cs, "CHILD_ID,FORENAME,SURNAME,DOB,SEX,ETHNICITY,UPN,NHS_NUMBER,"
             "POSTCODE,SERVICE,START,END\n");
    flush_row(&cs);
    put(&as, "PERSON_ID,NHS_NUMBER,GIVEN_NAME,FAMILY_NAME,BIRTH_DATE,GENDER,"
             "ETHNIC_CATEGORY,POSTCODE,SERVICE_TYPE,EVENT_START,EVENT_END\n");
    flush_row(&as);
    put(&ed, "upn,forename,surname,dob,sex,ethnicity,postcode,provision,"
             "start,end\n");
    flush_row(&ed);
    put(&lh, "CHILD,SEX,DOB,ETHNIC,UPN\r\n");
    flush_row(&lh);
    put(&le, "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST\r\n");
    flush_row(&le);

    housing_rows(&rs, &x, people, &hs, c);
    x.people = people;
    sp = (struct synth_people){o->people, &x, register_resident, register_truth};
    if ((rc = synth_housing_write(o, &sp, &c->rows[6], d)) < 0)
        goto out;

    /* Children's social care, more likely where the household is in TA. */
    for (pid = 0; pid < o->people; pid++) {
        const struct person *p = &people[pid];
        int age = (int)((o->reference - p->dob) / 365);
        long r;
        int svc;

        if (age >= 18)
            continue;
        r = rnd(&rs, 1000);
        svc = r < 60 ? 0 : r < 75 ? 1 : r < 85 ? 2 : -1;
        if (svc < 0)
            continue;
        if (svc == 2) {
            /* looked after: the SSDA903 pair, and the case management
             * system's record (a child in need first) under the same id */
            csc_row(&rs, &x, p, pid, 0, &cs);
            lac_rows(&rs, &x, p, pid, &lh, &le);
        } else {
            csc_row(&rs, &x, p, pid, svc, &cs);
        }
    }
    /* Episodes of children the header does not list (a header filtered to
     * the year, a typo in CHILD): the job quarantines them as orphans. */
    for (i = 0; i < (size_t)(le.rows / 50); i++) {
        char s1[16];
        long line = le.line;
        struct written w;

        memset(&w, 0, sizeof(w));
        w.dob = DAY_NONE;
        fmt_date(o->reference - (int32_t)rnd(&rs, 600), 0, s1, sizeof(s1));
        put(&le, "X%07zu,%s,S,C2,N1,U1,PR1,,,\r\n", i, s1);
        flush_row(&le);
        le.rows++;
        truth(&tr, &le, line, o->people + (long)i, NULL, &w, NULL);
    }

    for (pid = 0; pid < o->people; pid++)
        adult_rows(&rs, &x, &people[pid], pid, &as);
    for (pid = 0; pid < o->people; pid++)
        education_rows(&rs, &x, &people[pid], pid, &ed);
    c->rows[0] = hs.rows;
    c->rows[1] = cs.rows;
    c->rows[2] = as.rows;
    c->rows[3] = ed.rows;
    c->rows[4] = lh.rows;
    c->rows[5] = le.rows;
    rc = needs_extracts(o, people, pcs, c, d);
out:
    if ((close_out(&hs) | close_out(&cs) | close_out(&as) | close_out(&ed) |
         close_out(&lh) | close_out(&le) |
         close_out(&tr)) != 0 &&
        rc == 0) {
        diag_set(d, o->dir, 0, 0, NULL, "cannot write the extracts");
        rc = CE_IO;
    }
    for (i = 0; i < npcs; i++)
        free(pcs[i]);
    free(pcs);
    free(people);
    return rc;
}
